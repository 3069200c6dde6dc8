"""Text encoding of an input file: BOM first, then UTF-8, then charset-normalizer's guess."""

from __future__ import annotations

import codecs
import gzip
import shutil
import unicodedata
from pathlib import Path
from typing import TextIO

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
    if b"\x00" in head:
        return _legacy_encoding(head)  # UTF-16/32 without a BOM: valid UTF-8, but not text
    try:
        # final=False: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return _legacy_encoding(head)
    return "utf-8"


# Below this many non-ASCII bytes there is too little text for a guesser to go on.
_FEW_NON_ASCII = 16


def _legacy_encoding(head: bytes) -> str:
    """charset-normalizer's guess, except where cp1252 is the better bet.

    Spreadsheets in Western Europe and the Americas export cp1252. On a small sample
    the guesser often names a cousin (cp775, cp850) that decodes accented letters
    differently, or, with only a word or two of accents, a script the file is not
    in. So cp1252 wins when the guess reads as Latin letters, or when there are too
    few non-ASCII bytes to judge, provided cp1252 decodes the sample at all.
    """
    from charset_normalizer import from_bytes

    try:
        head.decode("cp1252")
    except UnicodeDecodeError:
        fits_cp1252 = False
    else:
        fits_cp1252 = b"\x00" not in head
    best = from_bytes(head).best()
    if best is None:
        return "cp1252"
    if not fits_cp1252:
        return best.encoding
    few_accents = sum(byte >= 0x80 for byte in head) < _FEW_NON_ASCII
    letters = [char for char in str(best) if char.isalpha() and not char.isascii()]
    if few_accents or all("LATIN" in unicodedata.name(char, "") for char in letters):
        return "cp1252"
    return best.encoding


def is_utf8(encoding: str) -> bool:
    """DuckDB reads these without transcoding (it skips a UTF-8 BOM itself)."""
    return codecs.lookup(encoding).name in {codecs.lookup(n).name for n in _UTF8_NAMES} or (
        codecs.lookup(encoding).name == "utf-8-sig"
    )


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first `size` bytes of the file, decompressed if it is gzipped (`.csv.gz`)."""
    with gzip.open(path, "rb") if _gzipped(path) else path.open("rb") as handle:
        return handle.read(size)


def transcode_to_utf8(source: Path, encoding: str, target: Path) -> None:
    """Rewrite `source` as UTF-8 in chunks, so memory stays flat whatever the file's size."""
    with (
        _open_text(source, encoding) as reader,
        target.open("w", encoding="utf-8", newline="") as writer,
    ):
        shutil.copyfileobj(reader, writer, 1024 * 1024)


def _open_text(path: Path, encoding: str) -> TextIO:
    if _gzipped(path):
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return path.open("r", encoding=encoding, newline="")


def _gzipped(path: Path) -> bool:
    return path.suffix.lower() == ".gz"
