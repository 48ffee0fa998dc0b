"""daedalus-npy-storage: a toy daedalus plugin storing arrays as one ``.npy`` file per chunk."""

from .storage import DATA_FORMAT, ENGINE, NpyArray, NpyStorage

__all__ = ["DATA_FORMAT", "ENGINE", "NpyArray", "NpyStorage"]
