"""Command-line entry point (filled in below)."""


def main() -> None:  # pragma: no cover - replaced shortly
    raise SystemExit("not yet")
