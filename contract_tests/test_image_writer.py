"""The ImageWriter contract suite shipped in daedalus.testing, collected here so the checkout's test run has it."""

from daedalus.testing.contract.test_image_writer import *  # noqa: F403
