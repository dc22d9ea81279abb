"""The on-disk cache of manuscript rendering: content-addressed, atomic, self-checking.

Everything stored is keyed by a SHA-256 digest of what it was computed
from (the manuscript's text, the works' CSL data, the style's XML, the
options, and a fingerprint of citekit's own code), so a cached value is
either exactly what a fresh render computes or not found: the cache can
never change the output. Each file holds its payload with the payload's own
digest; a file that cannot be read, is not JSON, has another layout or
fails its digest is ignored (the value is computed again and the file
rewritten). Files are written to a temporary file beside them and renamed,
so a render killed half-way leaves no half-written file behind.

Where the cache lives: :func:`default_cache_dir` gives ``.citekit-cache/``
next to the manuscript when that folder can be written, else the user's
cache folder (``$XDG_CACHE_HOME/citekit``, ``~/Library/Caches/citekit``,
``%LOCALAPPDATA%\\citekit\\Cache``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

__all__ = [
    "CACHE_FOLDER",
    "Cache",
    "CacheStats",
    "default_cache_dir",
    "digest",
    "user_cache_dir",
]

#: The name of the cache folder made next to a manuscript.
CACHE_FOLDER = ".citekit-cache"

#: Bumped when the layout of cached values changes.
_LAYOUT = 1
#: How many files of each kind (documents, registries, bibliographies) are kept.
_KEEP_FILES = 24
#: How many rendered citations a citation bucket keeps (the least recently used go).
_KEEP_CITATIONS = 50_000
#: Rendered citations unused for this long (30 days) are dropped.
_KEEP_SECONDS = 30 * 24 * 3600

#: The ``.gitignore`` written in the cache folder: nothing in it belongs in a repository.
_GITIGNORE = "# citekit's rendering cache: safe to delete, never to commit\n*\n"

_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by citekit.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def digest(*parts: Any) -> str:
    """The SHA-256 hex digest of ``parts`` written as canonical JSON."""
    data = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def user_cache_dir() -> Path:
    """citekit's folder in the user's cache directory (not created here)."""
    if sys.platform == "win32":  # pragma: no cover - not tested on this platform
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "citekit" / "Cache"
    if sys.platform == "darwin":  # pragma: no cover - not tested on this platform
        return Path.home() / "Library" / "Caches" / "citekit"
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):
        base = str(Path.home() / ".cache")
    return Path(base) / "citekit"


def default_cache_dir(manuscript: str | os.PathLike[str] | None) -> Path:
    """``.citekit-cache/`` beside ``manuscript`` (a file or a folder) if that folder is
    writable, else :func:`user_cache_dir`."""
    if manuscript is not None:
        place = Path(manuscript)
        folder = place if place.is_dir() else place.parent
        folder = folder if str(folder) else Path(".")
        if os.access(folder, os.W_OK | os.X_OK):
            return folder / CACHE_FOLDER
    return user_cache_dir()


@attrs.define
class CacheStats:
    """What a render found in the cache and what it had to compute."""

    document_hit: bool = False
    """True when the whole result came from the cache."""
    registry_hit: bool = False
    """True when the works' order and disambiguation came from the cache."""
    bibliography_hit: bool = False
    """True when the bibliography came from the cache."""
    citations_reused: int = 0
    """Engine citations (clusters, or the parts of in-text clusters) taken from the cache."""
    citations_rendered: int = 0
    """Engine citations rendered by the CSL engine."""


class Cache:
    """A folder of cached rendering results.

    :param folder: where the files go (created when first written to).

    Reading never fails: a missing, unreadable or corrupt file reads as
    absent. Writing is best effort: when the folder cannot be written the
    render goes on without the cache.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        """The cache folder."""
        self._root = self.folder / f"v{_LAYOUT}"
        self._buckets: dict[str, dict[str, list[Any]]] = {}
        self._dirty: set[str] = set()
        self._used: set[str] = set()

    def __repr__(self) -> str:
        return f"Cache({str(self.folder)!r})"

    # -- single values ------------------------------------------------------------------

    def get(self, kind: str, key: str) -> Any:
        """The value stored under ``kind`` and ``key``, or None."""
        return self._read(self._root / f"{kind}-{key}.json", key)

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store ``value`` (JSON data) under ``kind`` and ``key``; old files of the kind go."""
        path = self._root / f"{kind}-{key}.json"
        if self._write(path, key, value):
            self._prune(kind)

    # -- buckets of small values --------------------------------------------------------

    def lookup(self, bucket: str, key: str) -> Any:
        """A value of a bucket (a file of many small values, such as rendered citations)."""
        values = self._bucket(bucket)
        found = values.get(key)
        if found is None:
            return None
        found[1] = int(time.time())
        self._dirty.add(bucket)
        self._used.add(key)
        return found[0]

    def store(self, bucket: str, key: str, value: Any) -> None:
        """Add a value to a bucket; written by :meth:`flush`."""
        self._bucket(bucket)[key] = [value, int(time.time())]
        self._dirty.add(bucket)
        self._used.add(key)

    def flush(self) -> None:
        """Write the buckets changed since they were read (each atomically)."""
        now = int(time.time())
        for name in sorted(self._dirty):
            values = self._buckets[name]
            stale = [k for k, v in values.items() if now - v[1] > _KEEP_SECONDS]
            for key in stale:
                del values[key]
            if len(values) > _KEEP_CITATIONS:
                ranked = sorted(
                    values.items(), key=lambda kv: (kv[0] in self._used, kv[1][1]), reverse=True
                )
                values = dict(ranked[:_KEEP_CITATIONS])
                self._buckets[name] = values
            self._write(self._root / f"bucket-{name}.json", name, values)
        self._dirty.clear()

    def _bucket(self, name: str) -> dict[str, list[Any]]:
        values = self._buckets.get(name)
        if values is None:
            stored = self._read(self._root / f"bucket-{name}.json", name)
            values = {}
            if isinstance(stored, dict):
                values = {
                    k: v
                    for k, v in stored.items()
                    if isinstance(v, list) and len(v) == 2 and isinstance(v[1], int)
                }
            self._buckets[name] = values
        return values

    # -- files --------------------------------------------------------------------------

    @staticmethod
    def _read(path: Path, key: str) -> Any:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("layout") != _LAYOUT or data.get("key") != key:
            return None
        payload = data.get("payload")
        if data.get("sha256") != digest(payload):
            return None
        return payload

    def _write(self, path: Path, key: str, value: Any) -> bool:
        record = {"layout": _LAYOUT, "key": key, "sha256": digest(value), "payload": value}
        data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            self._root.mkdir(parents=True, exist_ok=True)
            tag = self.folder / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(_TAG, encoding="utf-8")
            ignore = self.folder / ".gitignore"
            if not ignore.exists():  # git (and tools that read .gitignore) leave it alone
                ignore.write_text(_GITIGNORE, encoding="utf-8")
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=self._root)
        except OSError:
            return False
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return False
        return True

    def _prune(self, kind: str) -> None:
        with contextlib.suppress(OSError):
            files = _by_age(self._root.glob(f"{kind}-*.json"))
            for old in files[_KEEP_FILES:]:
                with contextlib.suppress(OSError):
                    old.unlink()


def _by_age(paths: Iterable[Path]) -> list[Path]:
    """Newest first."""
    dated = []
    for path in paths:
        with contextlib.suppress(OSError):
            dated.append((path.stat().st_mtime_ns, path))
    return [path for _, path in sorted(dated, reverse=True)]
