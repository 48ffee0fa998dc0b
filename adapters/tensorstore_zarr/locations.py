"""Where a zarr array lives: local files, http(s) and s3 through tensorstore's kvstores, other fsspec URLs bridged."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Any

import tensorstore as ts
from daedalus.core.process_local import ProcessLocalState

from .context import tensorstore_context


class _LocalLocation:
    """An array directory on the local file system, served by tensorstore's file kvstore."""

    bridged = False
    fetches_optional_files = True  # a missing optional metadata file (``.zattrs``) costs nothing

    def __init__(self, path: Path) -> None:
        self.path = Path(os.path.abspath(path))
        self.display = str(path)

    @property
    def kvstore_spec(self) -> dict[str, Any]:
        return {"driver": "file", "path": str(self.path) + "/"}

    def read_bytes(self, name: str) -> bytes | None:
        try:
            return (self.path / name).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def write_bytes(self, name: str, data: bytes) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)  # readers never see a half-written metadata file

    def exists(self, name: str) -> bool:
        return (self.path / name).is_file()

    def list_keys(self) -> list[str]:
        if not self.path.is_dir():
            return []
        store = ts.KvStore.open(self.kvstore_spec, context=tensorstore_context()).result()
        return [key.decode() for key in store.list().result()]

    @contextmanager
    def writing(self, keys: Any, partial_keys: Any) -> Iterator[None]:
        yield


class _FsspecLocation(ProcessLocalState):
    """An array on any fsspec file system (``memory://``, ``s3://``, ...), bridged through tensorstore.

    tensorstore cannot call into Python file systems, so the keys one read or write touches are copied into
    a private in-memory kvstore, tensorstore works on that, and written keys are copied back.
    """

    bridged = True
    fetches_optional_files = True

    def __init__(self, fs: Any, root: str, display: str) -> None:
        self.fs = fs
        self.root = root.rstrip("/")
        self.display = display
        self._prefix = f"daedalus-fsspec-bridge/{uuid.uuid4().hex}/"
        self._lock = threading.RLock()
        self._store: Any = None

    _process_local = ("_store",)
    _lock_type = threading.RLock

    @property
    def kvstore_spec(self) -> dict[str, Any]:
        return {"driver": "memory", "path": self._prefix}

    def _memory(self) -> Any:
        if self._store is None:
            self._store = ts.KvStore.open(self.kvstore_spec, context=tensorstore_context()).result()
        return self._store

    def _full(self, name: str) -> str:
        return f"{self.root}/{name}"

    def read_bytes(self, name: str) -> bytes | None:
        try:
            return self.fs.cat_file(self._full(name))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def stage_metadata(self, name: str) -> None:
        """Copy a metadata file into the bridge, where tensorstore opens the array from."""
        data = self.read_bytes(name)
        self._memory().write(name, data).result()

    def write_bytes(self, name: str, data: bytes) -> None:
        self.fs.makedirs(self.root, exist_ok=True)
        self.fs.pipe_file(self._full(name), data)
        self._memory().write(name, data).result()

    def exists(self, name: str) -> bool:
        return bool(self.fs.isfile(self._full(name)))

    def list_keys(self) -> list[str]:
        if not self.fs.isdir(self.root):
            return []
        root = self.fs._strip_protocol(self.root).rstrip("/") + "/"
        return [str(p)[len(root) :] for p in self.fs.find(self.root) if str(p).startswith(root)]

    def _stage(self, keys: list[str]) -> None:
        memory = self._memory()
        found = self.fs.cat([self._full(k) for k in keys], on_error="omit") if keys else {}
        by_name = {self.fs._strip_protocol(p): v for p, v in found.items()}
        futures = []
        for key in keys:
            value = by_name.get(self.fs._strip_protocol(self._full(key)))
            futures.append(memory.write(key, value))
        for future in futures:
            future.result()

    def _unstage(self, keys: list[str]) -> None:
        memory = self._memory()
        for future in [memory.write(key, None) for key in keys]:
            future.result()

    @contextmanager
    def reading(self, keys: Any) -> Iterator[None]:
        keys = list(keys)
        with self._lock:
            self._stage(keys)
            try:
                yield
            finally:
                self._unstage(keys)

    @contextmanager
    def writing(self, keys: Any, partial_keys: Any) -> Iterator[None]:
        keys = list(keys)
        with self._lock:
            self._stage(list(partial_keys))  # fully overwritten keys need not be fetched
            try:
                yield
                memory = self._memory()
                results = [(key, memory.read(key)) for key in keys]
                written, removed = {}, []
                for key, future in results:
                    result = future.result()
                    if result.state == "value":
                        written[self._full(key)] = bytes(result.value)
                    else:
                        removed.append(self._full(key))
                if written:
                    self.fs.pipe(written)
                for path in removed:
                    if self.fs.exists(path):
                        self.fs.rm_file(path)
            finally:
                self._unstage(keys)


class _HttpLocation:
    """A read-only array over http(s), read by tensorstore's http kvstore with byte-range requests.

    Reading a small box of a sharded array fetches the shard index and the chunks it needs, not whole shard
    files. Metadata files are read by the same kvstore; key listings (and the bridge) go through the fsspec file
    system of the path, made on first use (importing it costs aiohttp's import, ~0.1-0.2 s). ``headers`` (e.g. a
    WEBKNOSSOS ``X-Auth-Token``, given as the UPath's ``headers`` storage option) go with every request of
    both; they never appear in ``display``. Each metadata file is fetched once (tensorstore is handed it).
    """

    bridged = False
    fetches_optional_files = False  # every lookup is a round trip, and some servers answer 400, not 404

    def __init__(self, fs: Any, url: str, fs_path: str, display: str, headers: dict[str, str] | None = None) -> None:
        """``fs``: the fsspec file system of the URL, or a callable making it (called on first use)."""
        self._fs = fs
        self.root = url.rstrip("/")
        self.fs_path = fs_path
        self.display = display
        self.headers = dict(headers or {})

    @property
    def kvstore_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"driver": "http", "base_url": self.root + "/"}
        if self.headers:
            spec["headers"] = [f"{name}: {value}" for name, value in self.headers.items()]
        return spec

    def bridged_location(self) -> _FsspecLocation:
        """The same array through the fsspec bridge, for servers that ignore byte-range requests."""
        return _FsspecLocation(self.fs, self.fs_path, self.display)

    @property
    def fs(self) -> Any:
        """The fsspec file system of the URL (made on first use)."""
        if callable(self._fs):
            self._fs = self._fs()
        return self._fs

    def _full(self, name: str) -> str:
        return f"{self.root}/{name}"

    def read_bytes(self, name: str) -> bytes | None:
        store = ts.KvStore.open(self.kvstore_spec, context=tensorstore_context()).result()
        found = store.read(name).result()
        return None if found.state == "missing" else bytes(found.value)

    def _refuse(self) -> None:
        raise RuntimeError(f"Cannot write to {self.display}: http(s) locations are read-only.")

    def write_bytes(self, name: str, data: bytes) -> None:
        self._refuse()

    def exists(self, name: str) -> bool:
        return self.read_bytes(name) is not None

    def list_keys(self) -> list[str]:
        try:
            found = self.fs.find(self.root)
        except (FileNotFoundError, NotImplementedError):
            return []
        root = self.fs._strip_protocol(self.root).rstrip("/") + "/"
        return [str(p)[len(root) :] for p in (self.fs._strip_protocol(f) for f in found) if str(p).startswith(root)]

    @contextmanager
    def writing(self, keys: Any, partial_keys: Any) -> Iterator[None]:
        self._refuse()
        yield


# s3fs options that change nothing about which bytes are stored where (caching, block sizes, concurrency)
_S3_NEUTRAL_OPTIONS = {
    "asynchronous",
    "cache_regions",
    "default_block_size",
    "default_cache_type",
    "default_fill_cache",
    "fixed_upload_size",
    "listings_expiry_time",
    "local_expiry_check",
    "loop",
    "max_concurrency",
    "max_paths",
    "skip_instance_cache",
    "use_listings_cache",
}


class _S3Location:
    """An array on S3, read and written by tensorstore's s3 kvstore: reads fetch byte ranges, writes PUT objects.

    Only built (``from_fs``) when every option of the s3fs file system maps faithfully onto the tensorstore spec
    (endpoint, region, credentials, anonymous access, requester pays); otherwise the fsspec bridge serves the
    array. tensorstore takes no inline keys, only credential providers: keys given as options map only when they
    are the environment's (never written to disk). Metadata files go through s3fs.
    """

    bridged = False
    fetches_optional_files = True

    def __init__(self, fs: Any, fs_path: str, display: str, options: dict[str, Any]) -> None:
        self.fs = fs
        self.root = fs_path.strip("/")
        self.bucket, _, prefix = self.root.partition("/")
        self.prefix = prefix.strip("/")
        self.display = display
        self._options = options  # spec members the s3fs options map to

    @classmethod
    def from_fs(cls, fs: Any, fs_path: str, display: str) -> _S3Location | None:
        """The native location for ``fs_path`` on the s3fs file system ``fs``, or None if its options don't map."""
        options = dict(getattr(fs, "storage_options", None) or {})
        bucket = fs_path.strip("/").partition("/")[0]
        if not bucket:
            return None
        client = dict(options.pop("client_kwargs", None) or {})
        endpoint = options.pop("endpoint_url", None) or client.pop("endpoint_url", None)
        region = client.pop("region_name", None)
        key, username = options.pop("key", None), options.pop("username", None)
        secret, password = options.pop("secret", None), options.pop("password", None)
        key, secret = key or username, secret or password
        token = options.pop("token", None)
        anon = bool(options.pop("anon", False))
        requester_pays = bool(options.pop("requester_pays", False))
        use_ssl = options.pop("use_ssl", True)
        if options.pop("version_aware", False) or options.pop("config_kwargs", None):
            return None
        if options.pop("s3_additional_kwargs", None) or client or options.pop("session", None) is not None:
            return None
        if any(name not in _S3_NEUTRAL_OPTIONS for name in options):
            return None  # unknown options (profile, ...): the bridge honours them through s3fs
        if endpoint is None:
            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint is None and not use_ssl:
            return None
        if endpoint is not None and not str(endpoint).startswith(("http://", "https://")):
            return None
        if bool(key) != bool(secret) or (token and not key):
            return None
        environment = tuple(os.environ.get(n) or None for n in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))
        environment_token = os.environ.get("AWS_SESSION_TOKEN") or None
        if key and (environment != (str(key), str(secret)) or environment_token != (str(token) if token else None)):
            return None  # other keys than the environment's: the bridge passes them to s3fs
        spec: dict[str, Any] = {}
        if endpoint is not None:
            spec["endpoint"] = str(endpoint).rstrip("/")
            region = region or os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"
        if region:
            spec["aws_region"] = str(region)
        if requester_pays:
            spec["requester_pays"] = True
        if anon:
            spec["aws_credentials"] = {"type": "anonymous"}
        elif all(environment):
            spec["aws_credentials"] = {"type": "environment"}  # the first source of the default chain
        else:
            spec["aws_credentials"] = {"type": "default"}
        return cls(fs, fs_path, display, spec)

    @property
    def kvstore_spec(self) -> dict[str, Any]:
        spec = {"driver": "s3", "bucket": self.bucket, "path": f"{self.prefix}/" if self.prefix else ""}
        spec.update(self._options)
        return spec

    def _full(self, name: str) -> str:
        return f"{self.root}/{name}"

    def read_bytes(self, name: str) -> bytes | None:
        try:
            return self.fs.cat_file(self._full(name))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def write_bytes(self, name: str, data: bytes) -> None:
        self.fs.makedirs(self.root, exist_ok=True)
        self.fs.pipe_file(self._full(name), data)  # one PUT: readers see the old or the new object

    def exists(self, name: str) -> bool:
        self.fs.invalidate_cache(self._full(name))
        return bool(self.fs.isfile(self._full(name)))

    def list_keys(self) -> list[str]:
        store = ts.KvStore.open(self.kvstore_spec, context=tensorstore_context()).result()
        return [key.decode() for key in store.list().result()]

    def _forget_listings(self) -> None:
        """Drop s3fs's cached listings under the array: tensorstore wrote objects s3fs did not see."""
        cache = getattr(self.fs, "dircache", None)
        if cache is None:
            return
        for path in [p for p in list(cache) if p == self.root or str(p).startswith(self.root + "/")]:
            cache.pop(path, None)
        self.fs.invalidate_cache(self.root)

    @contextmanager
    def writing(self, keys: Any, partial_keys: Any) -> Iterator[None]:
        try:
            yield
        finally:
            self._forget_listings()


def _file_system(path: Any) -> Any:
    """The fsspec file system of the UPath ``path`` (ValueError naming the path if it cannot be made)."""
    try:
        return path.fs
    except (ImportError, ValueError) as error:
        raise ValueError(f"Cannot access array path {path}: {error}") from error


def _location(path: Any) -> _LocalLocation | _HttpLocation | _S3Location | _FsspecLocation:
    """Where an array lives: local paths, http(s) and s3 URLs go to tensorstore's own kvstores, others via fsspec."""
    if isinstance(path, str):
        if "://" not in path:
            return _LocalLocation(Path(path))
        from upath import UPath

        path = UPath(path)
    protocol = getattr(path, "protocol", None)
    if protocol is None:
        if isinstance(path, PurePath):
            return _LocalLocation(Path(path))
        raise ValueError(f"Unsupported array path {path!r}: pass a str, pathlib.Path or upath.UPath.")
    if protocol in ("", "file", "local"):
        return _LocalLocation(Path(path.path))
    if protocol in ("http", "https"):  # tensorstore's http kvstore; options other than headers: the bridge
        options = dict(getattr(path, "storage_options", None) or {})
        headers = options.pop("headers", None)
        if not options:
            return _HttpLocation(lambda: _file_system(path), str(path), path.path, str(path), headers=headers)
    fs = _file_system(path)
    if protocol in ("s3", "s3a"):  # tensorstore's s3 kvstore when the s3fs options map onto it, else the bridge
        native = _S3Location.from_fs(fs, path.path, str(path))
        if native is not None:
            return native
    return _FsspecLocation(fs, path.path, str(path))
