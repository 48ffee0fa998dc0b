"""The shipped AttachmentStorage contract suite (daedalus.testing), collected for the checkout's test run."""

from daedalus.testing.contract.test_attachment_storage import *  # noqa: F403
