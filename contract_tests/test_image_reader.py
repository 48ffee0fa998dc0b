"""The ImageReader contract suite shipped in daedalus.testing, collected here so the checkout's test run has it."""

from daedalus.testing.contract.test_image_reader import *  # noqa: F403
