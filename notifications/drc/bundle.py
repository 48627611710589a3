"""A report folder as one zip: written to a file (for the push) or streamed (for the download).

Entries carry a fixed timestamp and are written in a fixed order, so the same files give the
same zip; the CSVs and the manifest are deflated, report.xlsx (already a zip) is stored.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .columns import FILE_NAMES, XLSX_NAME

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED if name == XLSX_NAME else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def zip_name(report_date) -> str:
    return f"drc-report-{report_date.isoformat()}.zip"


def write_zip(folder: Path, stream: BinaryIO) -> None:
    """Write the folder's report files into `stream` as a zip."""
    with zipfile.ZipFile(stream, "w") as archive:
        for name in FILE_NAMES:
            with archive.open(_entry(name), "w", force_zip64=True) as target, (folder / name).open("rb") as source:
                while chunk := source.read(_CHUNK):
                    target.write(chunk)


class _Pipe:
    """A write-only, non-seekable sink: zipfile then writes data descriptors and never seeks back."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_zip(folder: Path) -> Iterator[bytes]:
    """The zip of the folder's report files, chunk by chunk, never held whole in memory."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w") as archive:
        for name in FILE_NAMES:
            with archive.open(_entry(name), "w", force_zip64=True) as target, (folder / name).open("rb") as source:
                while chunk := source.read(_CHUNK):
                    target.write(chunk)
                    if data := pipe.take():
                        yield data
    if data := pipe.take():
        yield data
