"""A package's public names, each imported from its room on first use (PEP 562).

A package ``__init__`` that imports every room makes any import of the package pay for all of
them: ``policymix cba`` reads one JSON file, yet importing ``policy.appraisal`` used to load
the catalogue, networkx, the evidence layer and pandas (about 0.8 s, issue 14). With
:func:`lazy_exports` the ``__init__`` names each public name's room in a table and the module
``__getattr__`` (PEP 562) imports that room the first time the name is read, then keeps the
value as a plain attribute, so later reads cost nothing. ``from package import name``,
``package.name``, ``__all__`` and ``dir()`` behave as with the eager imports; the table is the
list a reader used to find in the ``from ... import`` block.

Used by the package ``__init__`` files of ``policy`` and its rooms; at the bottom layer so any
package may use it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(package: str, rooms: Mapping[str, Iterable[str]]
                 ) -> tuple[Callable[[str], object], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for ``package`` whose names live in ``rooms``:
    ``{"room": ("name", ...)}``, each room a module of the package (``policy.session`` for
    ``"session"`` in ``policy``). A name listed twice is a mistake in the table: ValueError."""
    where: dict[str, str] = {}
    for room, names in rooms.items():
        for name in names:
            if name in where:
                raise ValueError(f"{package}: {name!r} listed in {where[name]} and {room}")
            where[name] = f"{package}.{room}"

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # from now on a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__, sorted(where)
