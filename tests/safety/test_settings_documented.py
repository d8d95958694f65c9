"""Every shared-server limit is documented with its default (README "Running on a shared
server"), and the workshop's own constants are the defaults the settings use."""

from __future__ import annotations

import pytest

from policy.storage import LIMITS, Settings
from policy.workshop import JOINS_PER_MINUTE, MAX_PARTICIPANTS, WORKSHOP_HOURS
from policy.workshop.address import client_key
from tests.paths import ROOT

SECTION = (ROOT / "README.md").read_text(encoding="utf-8").split(
    "## Running on a shared server", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("limit", LIMITS, ids=lambda limit: limit.env)
def test_every_limit_has_a_row_with_its_default_and_meaning(limit) -> None:
    row = next((line for line in SECTION.splitlines() if line.startswith(f"| `{limit.env}` |")),
               None)
    assert row is not None, f"{limit.env} is not in the README's table"
    assert f"| {limit.default:,} |" in row and limit.meaning in row


def test_the_settings_defaults_are_the_limits_defaults() -> None:
    plain = Settings(home=ROOT, db_path=ROOT / "unused")
    assert {limit.field: getattr(plain, limit.field) for limit in LIMITS} == {
        limit.field: limit.default for limit in LIMITS}


def test_the_workshop_constants_are_the_settings_defaults() -> None:
    plain = Settings(home=ROOT, db_path=ROOT / "unused")
    assert (plain.workshop_max_participants, plain.workshop_joins_per_minute,
            plain.workshop_hours) == (MAX_PARTICIPANTS, JOINS_PER_MINUTE, WORKSHOP_HOURS)


def test_a_forged_forwarded_header_changes_nothing_without_a_trusted_proxy() -> None:
    assert client_key("203.0.113.5", "10.0.0.1", "b") == client_key("203.0.113.5", None, "b")
