"""Small tables as named numpy columns, made into a pandas frame only when one is asked for.

The ``policymix indicators`` command reads a file, builds the cube and writes every indicator
without pandas: importing pandas alone takes about as long as a whole DuckDB script doing the
same (0.27 s on the development machine), and the tables on that path (the areas, the GVA and
context rows, the cube's area list) are a few hundred to a few tens of thousand rows that numpy
handles directly. ``Columns`` holds such a table; :class:`FrameField` is a dataclass field
(``Dataset.areas``, ``Cube.areas``...) that stores either a frame or ``Columns`` and gives a
frame to every reader that wants one (the profile, the pages, the exports), made on first use
and kept. Code on the lean path reads :func:`columns_of` instead, which never makes a frame.

Text columns are object arrays of ``str``; a frame made from them has pandas' ``str`` dtype
(Arrow-backed, NaN for missing), the dtype the readers have always produced. Any other object
column (the cube's ``members`` lists) stays ``object``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Columns", "FrameField", "columns_of", "text_values"]


class Columns:
    """A table of equal-length numpy columns, in order (``columns`` like a frame's)."""

    __slots__ = ("data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data: dict[str, np.ndarray] = {}
        length = None
        for name, values in data.items():
            array = values if isinstance(values, np.ndarray) else _array(values)
            if length is not None and len(array) != length:
                raise ValueError(f"column {name!r} has {len(array)} values, not {length}")
            length = len(array)
            self.data[name] = array

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Columns:
        """A frame's columns as numpy arrays (text as object arrays of ``str``)."""
        return cls({c: _from_series(frame[c]) for c in frame.columns})

    @property
    def columns(self) -> list[str]:
        return list(self.data)

    def __len__(self) -> int:
        return len(next(iter(self.data.values()))) if self.data else 0

    def __contains__(self, name: object) -> bool:
        return name in self.data

    def __getitem__(self, name: str) -> np.ndarray:
        return self.data[name]

    def select(self, names: Iterable[str]) -> Columns:
        return Columns({n: self.data[n] for n in names})

    def take(self, rows: np.ndarray) -> Columns:
        """The rows at ``rows`` (positions, or a boolean mask)."""
        return Columns({n: v[rows] for n, v in self.data.items()})

    def with_column(self, name: str, values: Any) -> Columns:
        return Columns({**self.data, name: values})

    def concat(self, other: Columns) -> Columns:
        """These rows, then ``other``'s (the same columns; ``other``'s extra ones ignored)."""
        return Columns({n: np.concatenate([v, _array(other[n])]) for n, v in self.data.items()})

    def frame(self) -> pd.DataFrame:
        """The pandas frame of these columns (pandas imported here, on first use)."""
        import pandas as pd  # deferred: the lean path never makes a frame

        out = {}
        for name, values in self.data.items():
            if values.dtype == object and _all_text(values):
                out[name] = pd.array(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
            else:
                out[name] = values
        return pd.DataFrame(out, index=pd.RangeIndex(len(self)))


def _array(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values
    if isinstance(values, list) and values and isinstance(values[0], list):
        out = np.empty(len(values), dtype=object)  # lists of codes stay one value a row
        out[:] = values
        return out
    array = np.asarray(values)
    return array.astype(object) if array.dtype.kind == "U" else array


def _all_text(values: np.ndarray) -> bool:
    return all(isinstance(v, str) or v is None or v != v for v in values.tolist())


def _from_series(series: Any) -> np.ndarray:
    values = series.to_numpy()
    if values.dtype.kind in "OU" or str(series.dtype) in ("str", "string"):
        return np.asarray(values, dtype=object)
    return values


def text_values(values: np.ndarray) -> list[str]:
    """A text column as ``str`` values, '' where missing (None or NaN)."""
    items = values.tolist()
    if all(type(v) is str for v in items):  # the usual case: nothing to replace
        return items
    return ["" if v is None or v != v else str(v) for v in items]


def columns_of(value: pd.DataFrame | Columns | None) -> Columns | None:
    """The columns of a table field's value, without making a frame."""
    if value is None or isinstance(value, Columns):
        return value
    return Columns.from_frame(value)


class FrameField:
    """A dataclass field holding a pandas frame or :class:`Columns`; reading the attribute
    gives the frame (made from the columns on first read and kept); :meth:`raw` gives what
    is stored without making one. ``required``: the field has no default (else None)."""

    def __init__(self, required: bool = False) -> None:
        self.required = required

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.attr = name, f"_{name}"

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            if self.required:
                raise AttributeError(self.name)  # on the class: the field has no default
            return None
        value = obj.__dict__.get(self.attr)
        if isinstance(value, Columns):
            value = obj.__dict__[self.attr] = value.frame()
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.attr] = value

    def raw(self, obj: Any) -> Any:
        return obj.__dict__.get(self.attr)
