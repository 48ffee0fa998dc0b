"""The ArrayStorage contract suite shipped in daedalus.testing, collected here so the checkout's test run has it."""

from daedalus.testing.contract.test_array_storage import *  # noqa: F403
