"""A small immutable, hashable mapping for frozen model classes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar, cast, overload

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

__all__ = ["FrozenMap", "deep_freeze", "frozen_json_map", "frozen_map"]


class FrozenMap(Mapping[K, V]):
    """An ordered, read-only mapping that can be hashed when its values can.

    Equality ignores order, as a dict's does, and so does the hash. Hashing
    a map that holds an unhashable value (a list) raises :class:`TypeError`.
    """

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

    @overload
    def get(self, key: K, /) -> V | None: ...

    @overload
    def get(self, key: K, /, default: V | T) -> V | T: ...

    def get(self, key: K, /, default: Any = None) -> Any:
        """The value of ``key``, else ``default`` (without raising KeyError inside)."""
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __hash__(self) -> int:
        if self._hash is None:
            try:
                self._hash = hash(frozenset(self._data.items()))
            except TypeError as error:
                raise TypeError(f"FrozenMap with an unhashable value: {error}") from None
        return self._hash

    def __reduce__(self) -> tuple[Any, ...]:
        # The cached hash is not pickled: string hashes differ between processes.
        return (FrozenMap, (self._data,))

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


#: The empty map, shared: maps are immutable, and most works have several empty ones.
EMPTY: FrozenMap[Any, Any] = FrozenMap()


def frozen_map(value: Any) -> FrozenMap[Any, Any]:
    """attrs converter: a mapping, pairs or ``None`` to a :class:`FrozenMap`."""
    if isinstance(value, FrozenMap):
        return value
    if value is None or (type(value) is dict and not value):
        return EMPTY
    if isinstance(value, str | bytes):
        raise TypeError(f"expected a mapping, got {type(value).__name__}")
    try:
        return FrozenMap(cast("Mapping[Any, Any]", value))
    except (TypeError, ValueError):
        raise TypeError(f"expected a mapping, got {type(value).__name__}") from None


def deep_freeze(value: Any) -> Any:
    """A JSON-like value made hashable: lists become tuples, mappings :class:`FrozenMap`."""
    if isinstance(value, Mapping):
        return FrozenMap((k, deep_freeze(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(deep_freeze(v) for v in value)
    return value


def frozen_json_map(value: Any) -> FrozenMap[Any, Any]:
    """attrs converter: a mapping of JSON-like values, deep-frozen."""
    if value is None or (isinstance(value, Mapping) and not value):
        return EMPTY
    return FrozenMap((k, deep_freeze(v)) for k, v in cast("Mapping[Any, Any]", value).items())
