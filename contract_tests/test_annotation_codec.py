"""The AnnotationCodec contract suite shipped in daedalus.testing, collected here so the checkout's test run has it."""

from daedalus.testing.contract.test_annotation_codec import *  # noqa: F403
