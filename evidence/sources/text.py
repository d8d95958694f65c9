"""Reading text input files the same way for every source: gzip, encodings, binary checks.

Shared by the NOMIS and ONS readers and by format detection (``evidence.sources.load_dataset``)
so that a missing, empty, binary or oddly encoded file is reported alike whatever its format.
"""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from pathlib import Path

from evidence.dataset import DataError
from evidence.problems import ProblemError

__all__ = [
    "SUPPRESSION_MARKERS",
    "PlainCsv",
    "conversion_kind",
    "csv_cells",
    "decode_text",
    "is_gzip",
    "is_utf16",
    "leading_bytes",
    "magic_bytes",
    "open_binary",
    "plain_csv",
    "read_head_lines",
    "read_text",
    "xlsx_sheets",
]

SUPPRESSION_MARKERS = frozenset(
    {"*", "!", "-", "..", ".", "x", "X", "[x]", "[c]", "[z]", "[low]", "c", "#", "~", ":", "q", "Q"}
)
"""Cell contents that mean 'no value published' in NOMIS and ONS tables (confidential,
unreliable, not available). Read as NaN and counted as suppressed, never as zero."""


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def magic_bytes(path: Path, file: str) -> bytes:
    """The first four bytes of a file as stored (gzip's own, not un-gzipped): how format
    detection and the ONS reader tell a workbook (``PK``), Parquet and gzip apart. A missing
    file is a DataError naming ``file``."""
    if not path.exists():
        raise DataError("file not found", file=file)
    with open(path, "rb") as fh:
        return fh.read(4)


def leading_bytes(path: str | Path, n: int = 4) -> bytes:
    """The first ``n`` bytes of a file's content, un-gzipped when it is gzipped: how a reader
    tells Parquet (``PAR1``) from text without trusting the file's name."""
    with open(path, "rb") as fh:
        head = fh.read(n)
    if head.startswith(b"\x1f\x8b"):
        with gzip.open(path, "rb") as fh:
            head = fh.read(n)
    return head


def open_binary(path: Path) -> io.BufferedIOBase:
    """Open a file, transparently un-gzipping it (NOMIS bulk files are often stored as .gz)."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def is_utf16(data: bytes) -> bool:
    """UTF-16 (Excel "Unicode text"): a byte-order mark, or a NUL byte beside every ASCII one."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return odd.count(0) > 0.4 * len(odd) > 0 or even.count(0) > 0.4 * len(even) > 0


def _decode_utf16(data: bytes, file: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    else:
        codec = "utf-16-le" if data[1::2].count(0) >= data[0::2].count(0) else "utf-16-be"
    if len(data) % 2:
        data = data[:-1]  # a sniff window cut inside a character
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise DataError("binary content: not readable as UTF-16 text", file=file) from None


def decode_text(data: bytes, file: str) -> str:
    """UTF-16 when it is that (BOM or NUL pattern); else UTF-8 (with or without BOM), then
    Windows-1252 as Excel saves CSV on Windows, then latin-1."""
    if is_utf16(data):
        text = _decode_utf16(data, file)
        return text[1:] if text.startswith("\ufeff") else text
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
            except UnicodeDecodeError:  # bytes cp1252 leaves undefined: ISO 8859-1 (latin-1)
                text = data.decode("latin-1")
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


# --------------------------------------------------------------------------------------------
# Workbooks, UTF-16 and tab-separated text -> one plain UTF-8 CSV for the CSV readers
# --------------------------------------------------------------------------------------------


def xlsx_sheets(
    path: Path, file: str, max_rows: int | None = None
) -> list[tuple[str, list[tuple[int, list[object]]]]]:
    """Every sheet of a workbook as ``(title, [(row number, values), ...])``."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    sheets = []
    # A file object, not the name: openpyxl would refuse a workbook saved under another extension.
    with open(path, "rb") as fh:
        try:
            workbook = load_workbook(fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise DataError(f"not a readable Excel workbook ({exc})", file=file) from None
        try:
            for ws in workbook.worksheets:
                ws.reset_dimensions()  # some writers store a wrong sheet size; read every row
                rows = []
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    if max_rows is not None and number > max_rows:
                        break
                    rows.append((number, list(values)))
                sheets.append((ws.title, rows))
        finally:
            workbook.close()
    return sheets


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _delimiter(lines: list[str]) -> str:
    """Tab when the widest of the first lines splits wider on tabs than on commas."""
    tabs = max((len(next(csv.reader([ln], delimiter="\t"), [])) for ln in lines[:40]), default=0)
    commas = max((len(csv_cells(ln)) for ln in lines[:40]), default=0)
    return "\t" if tabs >= 3 and tabs > commas else ","


@dataclass(frozen=True)
class PlainCsv:
    """A file as a plain UTF-8 comma-separated CSV, and how to point back at the original.

    ``path`` is the original when it needed no conversion; ``where`` maps a line of ``path``
    to (file label, row) in the original (an XLSX sheet's own row numbers).
    """

    path: Path
    original: Path
    kind: str  # "csv", "utf-16", "tab", "xlsx"
    lines: tuple[tuple[str, int], ...] = ()

    def where(self, row: int | None) -> tuple[str, int | None]:
        if not self.lines or row is None or not 1 <= row <= len(self.lines):
            return str(self.original), row
        return self.lines[row - 1]

    def relocate(self, exc: ProblemError) -> ProblemError:
        """The same problems, naming the original file (and sheet) and its row numbers."""
        if self.path == self.original:
            return exc
        problems = []
        for p in exc.problems:
            ours = p.file in (str(self.path), str(self.original))
            file, row = self.where(p.row) if ours else (p.file, p.row)
            problems.append(dc_replace(p, file=file, row=row))
        return DataError(problems=problems)


def conversion_kind(path: Path) -> str:
    """``xlsx``, ``utf-16``, ``tab`` or ``csv`` (nothing to convert) from the content."""
    with open_binary(path) as fh:
        head = fh.read(64 * 1024)
    if head.startswith(b"PK"):
        return "xlsx"
    if is_utf16(head):
        return "utf-16"
    if b"\x00" in head or not head.strip():
        return "csv"  # binary or empty: the readers report it
    try:
        text = decode_text(head, str(path))
    except DataError:
        return "csv"
    return "tab" if _delimiter(text.splitlines()) == "\t" else "csv"


@contextmanager
def plain_csv(path: str | Path) -> Iterator[PlainCsv]:
    """The file as a UTF-8 comma CSV: unchanged when it is one, else a temporary copy.

    XLSX workbooks (every sheet, one after the other), UTF-16 text and tab-separated text are
    converted line for line, so row numbers still point at the original.
    """
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=str(path))
    kind = conversion_kind(path)
    if kind == "csv":
        yield PlainCsv(path, path, kind)
        return
    file = str(path)
    lines: list[tuple[str, int]] = []
    with tempfile.TemporaryDirectory(prefix="policymix-") as tmp:
        out = Path(tmp) / "converted.csv"
        with open(out, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            if kind == "xlsx":
                sheets = xlsx_sheets(path, file)
                for title, rows in sheets:
                    label = file if len(sheets) == 1 else f"{file} (sheet {title!r})"
                    for number, values in rows:
                        writer.writerow([_cell_text(v) for v in values])
                        lines.append((label, number))
            else:
                text = read_text(path, file)
                delimiter = _delimiter(text.splitlines()[:40])
                for number, cells in enumerate(
                    csv.reader(io.StringIO(text), delimiter=delimiter), start=1
                ):
                    writer.writerow(cells)
                    lines.append((file, number))
        yield PlainCsv(out, path, kind, tuple(lines))
