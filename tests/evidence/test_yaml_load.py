"""``evidence.yaml_load``: libyaml's parser gives the same values and errors as ``safe_load``.

The loader changed for speed only (issue 14), so every YAML file the project ships is read
both ways and compared, and a syntax error still reads as PyYAML's pure-Python parser words it.
"""

from __future__ import annotations

import math

import pytest
import yaml

from evidence.yaml_load import YAML_LOADER, load_yaml
from tests.paths import ROOT

BUNDLED = sorted(p for pkg in ("evidence", "rules", "policy", "ui")
                 for p in (ROOT / pkg).rglob("*.yaml"))


def _same(a: object, b: object) -> bool:
    """Equal values of equal types all the way down (NaN equal to NaN; 1 is not 1.0 or True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def test_libyaml_is_used_where_pyyaml_has_it():
    assert YAML_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if yaml.__with_libyaml__:
        assert YAML_LOADER is yaml.CSafeLoader


def test_there_are_bundled_files_to_compare():
    assert len(BUNDLED) >= 30, BUNDLED


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_bundled_file_loads_to_the_same_values(path):
    text = path.read_text(encoding="utf-8")
    assert _same(load_yaml(text), yaml.safe_load(text))


@pytest.mark.parametrize("text", [
    "a: 1\nb: [1, 2.5, .nan, -.inf, true, null, 2024-01-31, '007', 0o17, 1_000]\n",
    "- &x {k: v}\n- *x\n- !!str 12\n- 'quoted: colon'\n- \"tab\\tand é\"\n",
    "key: |\n  two\n  lines\nfolded: >\n  one\n  line\n",
    "",
])
def test_awkward_values_load_the_same(text):
    assert _same(load_yaml(text), yaml.safe_load(text))


def test_a_syntax_error_reads_as_pyyaml_words_it():
    text = "a: 1\nb: [1, 2\nc: 3\n"
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as ours:
        load_yaml(text)
    assert str(ours.value) == str(pure.value)


def test_no_code_runs_from_a_tag():
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']\n")
