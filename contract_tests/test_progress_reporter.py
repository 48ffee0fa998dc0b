"""The shipped ProgressReporter contract suite (daedalus.testing), collected for the checkout's test run."""

from daedalus.testing.contract.test_progress_reporter import *  # noqa: F403
