"""Text encoding of an input file: BOM first, then UTF-8, then charset-normalizer's guess."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

SNIFF_BYTES = 256 * 1024
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UTF8_NAMES = {"utf-8", "utf8", "ascii", "us-ascii"}


def detect_encoding(head: bytes) -> str:
    """The Python codec of a file that starts with `head`; a BOM decides outright."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    try:
        # final=False: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(head).best()
        return best.encoding if best is not None else "cp1252"
    return "utf-8"


def is_utf8(encoding: str) -> bool:
    """DuckDB reads these without transcoding (it skips a UTF-8 BOM itself)."""
    return codecs.lookup(encoding).name in {codecs.lookup(n).name for n in _UTF8_NAMES} or (
        codecs.lookup(encoding).name == "utf-8-sig"
    )


def transcode_to_utf8(source: Path, encoding: str, target: Path) -> None:
    """Rewrite `source` as UTF-8 in chunks, so memory stays flat whatever the file's size."""
    with (
        source.open("r", encoding=encoding, newline="") as reader,
        target.open("w", encoding="utf-8", newline="") as writer,
    ):
        shutil.copyfileobj(reader, writer, 1024 * 1024)
