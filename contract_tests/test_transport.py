"""The shipped WebknossosTransport contract suite (daedalus.testing), collected for the checkout's test run."""

from daedalus.testing.contract.test_transport import *  # noqa: F403
