"""The shipped FileTransfer contract suite (daedalus.testing), collected for the checkout's test run."""

from daedalus.testing.contract.test_file_transfer import *  # noqa: F403
