"""The shipped ZipArchives contract suite (daedalus.testing), collected for the checkout's test run."""

from daedalus.testing.contract.test_zip_archives import *  # noqa: F403
