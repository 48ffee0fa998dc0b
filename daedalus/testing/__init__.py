"""daedalus.testing: in-memory fakes of the ports and the port contract suites, for core tests and plugin authors.

Run the contract suites against every adapter the plugin manager knows (your installed plugin included) with
``python -m pytest --pyargs daedalus.testing`` (``-k <format or name>`` to pick one).
"""

from .fake_plugin import FakeAdapters, fake_plugin_manager, use_fake_storage, use_fakes
from .memory_attachments import MemoryAttachmentStorage
from .memory_storage import MemoryArray, MemoryStorage
from .numpy_images import NumpyImageReader, NumpyImageWriter
from .recording_executor import RecordedCall, RecordingExecutor

__all__ = [
    "FakeAdapters",
    "MemoryArray",
    "MemoryAttachmentStorage",
    "MemoryStorage",
    "NumpyImageReader",
    "NumpyImageWriter",
    "RecordedCall",
    "RecordingExecutor",
    "fake_plugin_manager",
    "use_fake_storage",
    "use_fakes",
]
