"""The policy package and its rooms import a room only when one of its names is read.

``policy/__init__`` and the rooms' ``__init__`` files list their public names in an
``evidence.lazy`` table instead of importing every room (issue 14: ``policymix cba`` paid for
the catalogue, networkx and pandas). These tests keep the facades honest: importing one loads
no room, every listed name is the room's own object, and no name hides a submodule.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest

from evidence.lazy import lazy_exports
from tests.paths import ROOT

FACADES = ("policy", "policy.appraisal", "policy.catalogue", "policy.labels", "policy.workshop")


@pytest.mark.parametrize("package", FACADES)
def test_importing_a_facade_loads_none_of_its_rooms(package):
    code = (f"import sys, json\nimport {package}\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('policy'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    parents = {".".join(package.split(".")[:i + 1]) for i in range(package.count(".") + 1)}
    assert set(json.loads(out)) == parents


@pytest.mark.parametrize("package", FACADES)
def test_every_listed_name_is_its_rooms_own(package):
    facade = importlib.import_module(package)
    assert facade.__all__ and len(set(facade.__all__)) == len(facade.__all__)
    rooms = {info.name for info in pkgutil.iter_modules(facade.__path__)}
    assert not rooms & set(facade.__all__), "a name would hide a submodule"
    found = {}
    for name in facade.__all__:
        value = getattr(facade, name)
        homes = [r for r in rooms if getattr(importlib.import_module(f"{package}.{r}"), name,
                                             None) is value]
        assert homes, f"{package}.{name} is in no room"
        found[name] = value
    namespace: dict[str, object] = {}
    exec(f"from {package} import *", namespace)
    assert {k: v for k, v in namespace.items() if k != "__builtins__"} == found
    assert set(facade.__all__) <= set(dir(facade))


def test_an_unknown_name_is_an_attribute_error():
    import policy.appraisal as appraisal

    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        appraisal.not_a_name  # noqa: B018
    with pytest.raises(ImportError):
        exec("from policy.appraisal import not_a_name", {})


def test_a_name_listed_twice_is_refused():
    with pytest.raises(ValueError, match="'x' listed in pkg.a and b"):
        lazy_exports("pkg", {"a": ("x",), "b": ("y", "x")})


def test_a_read_name_becomes_a_plain_attribute():
    import policy.labels as labels

    labels.word  # noqa: B018
    assert "word" in vars(labels)
