"""A shared segment cache beyond the local one (`--cache URL`): a folder, local or on a shared filesystem, or
object storage through fsspec (`s3://bucket/prefix`, `gs://bucket/prefix`).

The layout mirrors the local cache, `<url>/<key[:2]>/<key>.wav`. Keys are content-addressed, so books and
machines can share one store safely. An entry is fetched to a temporary name beside its local path, checked
whole with `wav_duration_ms` and renamed into place: a truncated or foreign object counts as missing, so its
line is synthesised again and republished over it. An entry is published under a temporary name
(`<key>.wav.<uuid>.tmp`) and only then committed to its final name, so no reader ever sees half of one; fetch
reads final names only, so a temporary left by a killed publish is never used.

This is the only module that imports fsspec (and through it s3fs or gcsfs); it turns their errors into
OutputError.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Sequence, TypeVar

from ..errors import FullcastError, OutputError
from .cache import cache_path, wav_duration_ms
from .synthesis import Job, Store

THREADS = 16
"""Entries moved at once: an object store answers each request in tens of milliseconds, so hundreds of entries
need many in flight; the fake and eSpeak clips are small, so this costs little memory."""
CONNECT_TIMEOUT_S = 3
"""How long to wait for a storage server to accept a connection."""
READ_TIMEOUT_S = 20
"""How long to wait for a storage server's next bytes."""
ATTEMPTS = 2
"""Tries per request: with the connect timeout, a dead endpoint is reported within about ten seconds."""
PACKAGES = {"s3": ("s3fs", 'pip install -e ".[s3]"'), "s3a": ("s3fs", 'pip install -e ".[s3]"'),
            "gs": ("gcsfs", "pip install gcsfs"), "gcs": ("gcsfs", "pip install gcsfs")}
"""Protocol -> the fsspec backend it needs and how to install it."""
URL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]+)://(.*)$")
"""A URL with a protocol; two letters at least, so a Windows drive (`C:\\`) stays a path."""

T = TypeVar("T")
R = TypeVar("R")


def open_store(url: str, *, local: Path, endpoint_url: str | None = None) -> Store | None:
    """The shared cache at *url*, checked reachable; None when *url* is the local cache folder *local* itself.

    *url* is a folder (a path or `file://`), `s3://bucket/prefix` or another fsspec URL. S3 takes its
    credentials from the usual environment and its endpoint from *endpoint_url*, else `FSSPEC_S3_ENDPOINT_URL`,
    `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (for MinIO, moto or another S3-compatible server).
    Raises OutputError when the backend is not installed or the storage cannot be reached or read.
    """
    match = URL.match(url)
    if match is None or match.group(1).lower() == "file":
        folder = Path(match.group(2) if match else url).expanduser().resolve()
        if folder == local.expanduser().resolve():
            return None
        return _FolderStore(url, folder)
    return _ObjectStore.open(url, match.group(1).lower(), match.group(2).strip("/"), endpoint_url)


class _Store:
    """What every store shares: concurrent fetches checked whole, publishes committed only once complete."""

    def __init__(self, url: str) -> None:
        self.url = url

    def fetch(self, todo: Sequence[Job]) -> dict[str, int]:
        """Copy the entries this store holds for *todo* to their local paths, checked whole; key -> duration in ms.

        A missing, truncated or foreign entry is left out, so its line is synthesised again."""
        found = _each(self._fetch_one, todo)
        return {job.key: duration for job, duration in zip(todo, found) if duration is not None}

    def publish(self, made: Sequence[Job]) -> None:
        """Add the local entries of *made*, each visible only once complete; one already there whole is kept."""
        _each(self._publish_one, made)

    def _fetch_one(self, job: Job) -> int | None:
        job.path.parent.mkdir(parents=True, exist_ok=True)
        # Named as synthesis names its temporaries, so `cache.sweep_temporaries` removes one a killed run left.
        temporary = job.path.with_name(f"{job.key}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            if not self._download(job.key, temporary):
                return None
            duration = wav_duration_ms(temporary)
            if duration is not None:
                os.replace(temporary, job.path)
            return duration
        except FullcastError:
            raise
        except Exception as error:
            raise self._failed(f"cannot fetch the entry {job.key}", error) from error
        finally:
            temporary.unlink(missing_ok=True)

    def _publish_one(self, job: Job) -> None:
        try:
            size = job.path.stat().st_size
            if wav_duration_ms(job.path) is None or self._size(job.key) == size:
                return
            temporary = f"{job.key}.wav.{uuid.uuid4().hex}.tmp"
            try:
                self._upload(job.path, job.key, temporary)
                self._commit(job.key, temporary)
            except Exception:
                # An ordinary failure tidies up; Ctrl-C does not wait on the network, and fetch never reads it.
                self._discard(job.key, temporary)
                raise
        except FullcastError:
            raise
        except Exception as error:
            raise self._failed(f"cannot publish the entry {job.key}", error) from error

    def _failed(self, what: str, error: Exception) -> OutputError:
        return OutputError(f"--cache {self.url}: {what} ({self._reason(error)}); check the URL and credentials, "
                           "or render without --cache")

    def _reason(self, error: Exception) -> str:
        return _first_line(error)

    # What each kind of store provides: `temporary` is a file name beside the entry's final one.
    def _size(self, key: str) -> int | None:
        raise NotImplementedError

    def _download(self, key: str, path: Path) -> bool:
        """Copy the entry to *path*; False when there is none."""
        raise NotImplementedError

    def _upload(self, path: Path, key: str, temporary: str) -> None:
        raise NotImplementedError

    def _commit(self, key: str, temporary: str) -> None:
        raise NotImplementedError

    def _discard(self, key: str, temporary: str) -> None:
        raise NotImplementedError


class _FolderStore(_Store):
    """A store in a folder, local or on a shared filesystem; rename is atomic there, so commit is `os.replace`."""

    def __init__(self, url: str, root: Path) -> None:
        super().__init__(url)
        self.root = root
        try:
            root.mkdir(parents=True, exist_ok=True)
            if not os.access(root, os.R_OK | os.W_OK | os.X_OK):
                raise PermissionError(13, "Permission denied", str(root))
        except OSError as error:
            raise OutputError(f"--cache {url}: cannot use the folder {root} ({error.strerror or error}); "
                              "check that it can be created and written") from error

    def _size(self, key: str) -> int | None:
        try:
            return cache_path(self.root, key).stat().st_size
        except FileNotFoundError:
            return None

    def _download(self, key: str, path: Path) -> bool:
        try:
            shutil.copyfile(cache_path(self.root, key), path)
        except FileNotFoundError:
            return False
        return True

    def _upload(self, path: Path, key: str, temporary: str) -> None:
        final = cache_path(self.root, key)
        final.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, final.with_name(temporary))

    def _commit(self, key: str, temporary: str) -> None:
        final = cache_path(self.root, key)
        os.replace(final.with_name(temporary), final)

    def _discard(self, key: str, temporary: str) -> None:
        cache_path(self.root, key).with_name(temporary).unlink(missing_ok=True)

    def _reason(self, error: Exception) -> str:
        return error.strerror if isinstance(error, OSError) and error.strerror else _first_line(error)


class _ObjectStore(_Store):
    """A store in object storage through fsspec. Commit is a server-side copy to the final key, then the
    temporary is removed (a single PUT is atomic on S3 too, but every backend gets the same rule)."""

    def __init__(self, url: str, fs, root: str, endpoint: str | None) -> None:
        super().__init__(url)
        self.fs, self.root, self.endpoint = fs, root, endpoint

    @classmethod
    def open(cls, url: str, protocol: str, root: str, endpoint_url: str | None) -> _ObjectStore:
        """Connect to the store at *url* and check that its root can be listed."""
        package, install = PACKAGES.get(protocol, (None, None))
        try:
            import fsspec

            fs_class = fsspec.get_filesystem_class(protocol)
        except ImportError as error:
            hint = f"needs {package}; run {install}" if package else f"needs the fsspec backend for {protocol}://"
            raise OutputError(f"--cache {url}: {hint}") from error
        except ValueError as error:
            raise OutputError(f"--cache {url}: unknown storage {protocol}://; use a folder, "
                              "s3://bucket/prefix or gs://bucket/prefix") from error
        if not root:
            raise OutputError(f"--cache {url}: name a bucket, as in {protocol}://bucket/prefix")
        options, endpoint = _options(protocol, endpoint_url)
        try:
            fs = fs_class(skip_instance_cache=True, use_listings_cache=False, **options)
            if protocol in ("s3", "s3a"):
                fs.retries = 1  # s3fs retries on top of botocore, which already makes ATTEMPTS tries
            store = cls(url, fs, root, endpoint)
            store._probe()
        except Exception as error:
            raise OutputError(f"--cache {url}: cannot reach the cache ({_remote_reason(error, endpoint)}); "
                              "check the URL and credentials") from error
        return store

    def _probe(self) -> None:
        """List the root (at most 256 folders); an empty prefix is fine, a missing bucket is not."""
        try:
            self.fs.ls(self.root, detail=False)
        except FileNotFoundError:
            bucket = self.root.split("/")[0]
            try:
                self.fs.info(bucket)
            except FileNotFoundError:
                raise FileNotFoundError(f"there is no bucket {bucket!r}") from None

    def _path(self, key: str) -> str:
        return f"{self.root}/{key[:2]}/{key}.wav"

    def _size(self, key: str) -> int | None:
        try:
            return int(self.fs.info(self._path(key))["size"])
        except FileNotFoundError:
            return None

    def _download(self, key: str, path: Path) -> bool:
        try:
            self.fs.get_file(self._path(key), str(path))
        except FileNotFoundError:
            return False
        return True

    def _upload(self, path: Path, key: str, temporary: str) -> None:
        self.fs.put_file(str(path), self._beside(key, temporary))

    def _commit(self, key: str, temporary: str) -> None:
        self.fs.copy(self._beside(key, temporary), self._path(key))
        self.fs.rm_file(self._beside(key, temporary))

    def _discard(self, key: str, temporary: str) -> None:
        try:
            self.fs.rm_file(self._beside(key, temporary))
        except Exception:
            pass  # the original error is the one to report; a stray temporary is never read

    def _beside(self, key: str, name: str) -> str:
        return f"{self._path(key).rpartition('/')[0]}/{name}"

    def _reason(self, error: Exception) -> str:
        return _remote_reason(error, self.endpoint)


def _options(protocol: str, endpoint_url: str | None) -> tuple[dict, str | None]:
    """fsspec options for *protocol*: short timeouts and few retries, and for S3 the endpoint from the environment."""
    if protocol not in ("s3", "s3a"):
        return {}, None
    endpoint = endpoint_url or next((os.environ[name] for name in (
        "FSSPEC_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL") if os.environ.get(name)), None)
    config = {"connect_timeout": CONNECT_TIMEOUT_S, "read_timeout": READ_TIMEOUT_S, "max_pool_connections": THREADS,
              "retries": {"max_attempts": ATTEMPTS, "mode": "standard"}}
    return {"endpoint_url": endpoint, "config_kwargs": config}, endpoint


def _remote_reason(error: Exception, endpoint: str | None) -> str:
    """Why a request to object storage failed, in words. The backends' exception types are matched by name, since
    only the backend itself imports them."""
    name = type(error).__name__
    if isinstance(error, PermissionError):
        return f"access denied: {_first_line(error)}"
    if "Credentials" in name:
        return "no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(error, (ConnectionError, TimeoutError)) or name in (
            "EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"):
        return f"no answer from {endpoint or 'the storage service'}"
    return _first_line(error)


def _each(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """*work* on every item, THREADS at a time, results in order; the first error stops what has not started."""
    if len(items) <= 1:
        return [work(item) for item in items]
    pool = ThreadPoolExecutor(min(THREADS, len(items)), thread_name_prefix="fullcast-store")
    try:
        futures = [pool.submit(work, item) for item in items]
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
