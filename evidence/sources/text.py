"""Reading text input files the same way for every source: gzip, encodings, binary checks.

Shared by the NOMIS and ONS readers and by format detection (``evidence.sources.load_dataset``)
so that a missing, empty, binary or oddly encoded file is reported alike whatever its format.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from evidence.dataset import DataError

__all__ = [
    "SUPPRESSION_MARKERS",
    "csv_cells",
    "decode_text",
    "is_gzip",
    "open_binary",
    "read_head_lines",
    "read_text",
]

SUPPRESSION_MARKERS = frozenset(
    {"*", "!", "-", "..", ".", "x", "X", "[x]", "[c]", "[z]", "[low]", "c", "#", "~", ":", "q", "Q"}
)
"""Cell contents that mean 'no value published' in NOMIS and ONS tables (confidential,
unreliable, not available). Read as NaN and counted as suppressed, never as zero."""


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def open_binary(path: Path) -> io.BufferedIOBase:
    """Open a file, transparently un-gzipping it (NOMIS bulk files are often stored as .gz)."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 (with or without BOM) first, then Windows-1252 as Excel saves CSV on Windows."""
    if b"\x00" in data:
        raise DataError("binary content: this is not a text (CSV) file", file=file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 4:  # a multi-byte character cut by the sniff window
            text = data[: exc.start].decode("utf-8-sig")
        else:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise DataError(
                    "binary content: not readable as UTF-8 or Windows-1252 text", file=file
                ) from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    if text and controls / len(text) > 0.01:
        raise DataError("binary content: this is not a text (CSV) file", file=file)
    return text


def read_head_lines(path: str | Path, n: int = 60, nbytes: int = 256 * 1024) -> list[str]:
    """First ``n`` text lines of a (possibly gzipped) file, for format sniffing.

    Raises DataError for a missing, empty or binary file so every reader reports those alike.
    """
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise DataError("file not found", file=file)
    try:
        with open_binary(path) as fh:
            data = fh.read(nbytes)
    except (OSError, EOFError) as exc:
        raise DataError(f"cannot read the file ({exc})", file=file) from None
    if not data.strip():
        raise DataError("the file is empty", file=file)
    text = decode_text(data, file)
    lines = text.splitlines()
    if len(data) == nbytes and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut by the sniff window
    return lines[:n]


def read_text(path: Path, file: str) -> str:
    """The whole (possibly gzipped) file as text; DataError when empty or binary."""
    with open_binary(path) as fh:
        data = fh.read()
    if not data.strip():
        raise DataError("the file is empty", file=file)
    return decode_text(data, file)


def csv_cells(line: str) -> list[str]:
    """The stripped cells of one CSV line; an empty list when it does not parse."""
    try:
        return [c.strip() for c in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return []
