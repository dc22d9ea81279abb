"""A small immutable, hashable mapping for frozen model classes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar, cast

K = TypeVar("K")
V = TypeVar("V")

__all__ = ["FrozenMap", "frozen_map"]


class FrozenMap(Mapping[K, V]):
    """An ordered, read-only mapping that can be hashed when its values can."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def set(self, key: K, value: V) -> FrozenMap[K, V]:
        """Return a copy with ``key`` set to ``value``."""
        data = dict(self._data)
        data[key] = value
        return FrozenMap(data)

    def remove(self, key: K) -> FrozenMap[K, V]:
        """Return a copy without ``key`` (no error if it is absent)."""
        return FrozenMap((k, v) for k, v in self._data.items() if k != key)


def frozen_map(value: Any) -> FrozenMap[Any, Any]:
    """attrs converter: any mapping (or ``None``) to a :class:`FrozenMap`."""
    if isinstance(value, FrozenMap):
        return value
    if value is None:
        return FrozenMap()
    return FrozenMap(cast("Mapping[Any, Any]", value))
