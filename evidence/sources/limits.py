"""Size caps for an uploaded file, checked at the boundary before any reader sees it.

The readers (tidy, NOMIS, ONS GVA, context downloads) are built to parse what they are given.
On a shared server an upload must also be *small enough* to parse: a 12 MB gzip holding 8
million duplicate lines once ran past 30 s and 1.6 GB in the reader before it could say
anything. :func:`check_upload` refuses such a file in about a second, without building
anything, by three streaming checks:

- the file's own size (:attr:`UploadLimits.max_bytes`);
- for gzip the decompressed size, counted while streaming
  through it in blocks, so nothing bigger than one block is held
  (:attr:`UploadLimits.max_unpacked_bytes`); for XLSX and other zip containers the sizes
  of their members, as declared and as really inflated (a zip bomb can lie about sizes);
- the number of lines, counted while streaming up to the cap (:attr:`UploadLimits.max_rows`);
  for XLSX the worksheets' ``<row`` elements, for Parquet the row count in the file's footer
  (no data is read).

Every refusal is a :class:`~evidence.dataset.DataError` naming the file (as the user named it)
and the limit, with the environment variable that sets it, so an operator knows what to raise.
The format is told from the bytes, as :mod:`evidence.sources` does (a ``.csv`` may be gzip).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from evidence.dataset import DataError

__all__ = ["UploadLimits", "check_upload"]

BLOCK = 1 << 20
"""Bytes read (or inflated) at a time: the most a check holds in memory at once."""
GZIP_MAGIC, ZIP_MAGIC, PARQUET_MAGIC = b"\x1f\x8b", b"PK\x03\x04", b"PAR1"
MB = 1_000_000
ROW_TAG = b"<row"
"""How a worksheet's XML (SpreadsheetML, ECMA-376 part 1, 18.3.1.73) opens each row."""


@dataclass(frozen=True)
class UploadLimits:
    """The caps, with the environment variable that sets each (named in every refusal)."""

    max_bytes: int
    max_unpacked_bytes: int
    max_rows: int
    bytes_env: str = "POLICYMIX_UPLOAD_MAX_MB"
    unpacked_env: str = "POLICYMIX_UPLOAD_MAX_UNPACKED_MB"
    rows_env: str = "POLICYMIX_UPLOAD_MAX_ROWS"


def _refuse(name: str, text: str, env: str, code: str, row: int | None = None) -> DataError:
    return DataError(f"{text}; nothing was read (the server's limit, set by {env})",
                     file=name, row=row, code=code)


def check_upload(name: str, stream: BinaryIO, size: int, limits: UploadLimits) -> None:
    """Refuse ``stream`` (the upload called ``name``, ``size`` bytes) when past a cap.

    Reads the stream from its start and leaves it at the start again. Returns None when the
    file is within every cap; the reader then decides whether it is a good data file.
    """
    if size > limits.max_bytes:
        raise _refuse(name, f"the file is {size / MB:,.1f} MB; uploads are at most "
                      f"{limits.max_bytes / MB:,.1f} MB", limits.bytes_env, "upload_too_big")
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    try:
        if head.startswith(PARQUET_MAGIC):
            _check_parquet(name, stream, limits)
        elif head.startswith(ZIP_MAGIC):
            _check_zip(name, stream, limits)
        else:
            _count_lines(name, _blocks(name, stream, limits), limits)
    finally:
        stream.seek(0)


def _blocks(name: str, stream: BinaryIO, limits: UploadLimits) -> Iterator[bytes]:
    """The file's bytes in blocks, un-gzipped, with the decompressed total checked as it
    grows (one gzip layer: the readers unpack one, so a gzip inside it reads as binary)."""
    if not stream.read(2).startswith(GZIP_MAGIC):
        stream.seek(0)
        while block := stream.read(BLOCK):
            yield block
        return
    stream.seek(0)
    total = 0
    for block in _gunzip(name, stream):
        total += len(block)
        if total > limits.max_unpacked_bytes:
            raise _refuse(name, f"unpacked, the file is more than "
                          f"{limits.max_unpacked_bytes / MB:,.0f} MB (the limit)",
                          limits.unpacked_env, "upload_unpacked_too_big")
        yield block


def _gunzip(name: str, stream: BinaryIO) -> Iterator[bytes]:
    """Inflate a gzip stream (several members too, as ``gzip`` may write them) block by block,
    never more than :data:`BLOCK` bytes of output at a time. A truncated file just ends here:
    the reader reports it with its line."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = b""
    try:
        while True:
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            elif pending:
                data, pending = pending, b""
            else:
                data = stream.read(BLOCK)
            if not data:
                if tail := inflater.flush():
                    yield tail
                return
            out = inflater.decompress(data, BLOCK)
            if out:
                yield out
            if inflater.eof:
                pending = inflater.unused_data
                inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    except zlib.error as exc:
        raise DataError(f"the gzip data is damaged ({exc}); download the file again",
                        file=name, code="upload_bad_gzip") from None


def _count_lines(name: str, blocks: Iterator[bytes], limits: UploadLimits) -> None:
    lines = 0
    for block in blocks:
        lines += block.count(b"\n")
        if lines > limits.max_rows:
            raise _refuse(name, f"the file has more than {limits.max_rows:,} lines (the limit "
                          "for an upload; line 1 is the header)", limits.rows_env,
                          "upload_too_many_rows", row=limits.max_rows + 1)


def _check_zip(name: str, stream: BinaryIO, limits: UploadLimits) -> None:
    """An XLSX (or another zip): the declared sizes first, then each member inflated in blocks
    (a bomb may declare small sizes), counting the worksheets' ``<row`` elements on the way:
    a workbook's rows are as costly to read as a CSV's lines."""
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as exc:
        raise DataError(f"the file starts like a zip (XLSX) but is damaged ({exc})",
                        file=name, code="upload_bad_zip") from None
    with archive:
        declared = sum(info.file_size for info in archive.infolist())
        too_big = _refuse(name, f"unpacked, the workbook is more than "
                          f"{limits.max_unpacked_bytes / MB:,.0f} MB (the limit)",
                          limits.unpacked_env, "upload_unpacked_too_big")
        if declared > limits.max_unpacked_bytes:
            raise too_big
        total = rows = 0
        for info in archive.infolist():
            sheet = info.filename.startswith("xl/worksheets/")
            tail = b""
            try:
                with archive.open(info) as member:
                    while block := member.read(BLOCK):
                        total += len(block)
                        if total > limits.max_unpacked_bytes:
                            raise too_big
                        if sheet:  # "<row" split over two blocks is counted once
                            rows += (tail + block).count(ROW_TAG)
                            tail = block[-(len(ROW_TAG) - 1):]
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as exc:
                raise DataError(f"the workbook's part {info.filename!r} cannot be unpacked "
                                f"({exc})", file=name, code="upload_bad_zip") from None
            if rows > limits.max_rows:
                raise _refuse(name, f"the workbook has more than {limits.max_rows:,} rows "
                              "(the limit for an upload)", limits.rows_env,
                              "upload_too_many_rows")


def _check_parquet(name: str, stream: BinaryIO, limits: UploadLimits) -> None:
    """Parquet keeps its row count in the footer: read that, not the data."""
    import pyarrow.parquet as pq  # deferred: pyarrow is only needed for a Parquet upload

    try:
        rows = pq.ParquetFile(stream).metadata.num_rows
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a bad footer
        raise DataError(f"the file starts like Parquet but its footer cannot be read ({exc})",
                        file=name, code="upload_bad_parquet") from None
    if rows > limits.max_rows:
        raise _refuse(name, f"the file has {rows:,} rows; uploads are at most "
                      f"{limits.max_rows:,}", limits.rows_env, "upload_too_many_rows")
