"""Datasets and folders on a WEBKNOSSOS server: RemoteDataset, its layers and mags, RemoteFolder."""

from .access_mode import RemoteAccessMode
from .metadata import DatasetMetadata, FolderMetadata
from .opening import RemoteDatasetNotFoundError
from .remote_attachments import RemoteAttachments
from .remote_dataset import RemoteDataset
from .remote_folder import RemoteFolder
from .remote_layer import LayerToLink, RemoteLayer, RemoteSegmentationLayer
from .remote_mag_view import RemoteMagView
from .storage_credentials import StorageCredentials

__all__ = [
    "DatasetMetadata",
    "FolderMetadata",
    "LayerToLink",
    "RemoteAccessMode",
    "RemoteDataset",
    "RemoteDatasetNotFoundError",
    "RemoteAttachments",
    "RemoteFolder",
    "RemoteLayer",
    "RemoteMagView",
    "RemoteSegmentationLayer",
    "StorageCredentials",
]
