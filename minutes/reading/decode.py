"""Bytes of a minutes file -> text.

UTF-8 with or without BOM, Windows-1252, or UTF-16 with a BOM; any line ending
(CRLF and CR become LF); NFC. Binary files are refused with a ``ParseError``
naming what the file looks like, and a NUL byte or a run of control characters
is reported on the line where it stands, so a person can find it.
"""

import codecs
import re
import unicodedata

from minutes.reading.shape import ParseError

BINARY_SIGNATURES = (
    (b"%PDF", "en PDF-fil"),
    (b"\x89PNG", "et PNG-billede"),
    (b"\xff\xd8\xff", "et JPEG-billede"),
    (b"GIF8", "et GIF-billede"),
    (b"PK\x03\x04", "en ZIP-fil (fx et Word- eller Excel-dokument)"),
    (b"\xd0\xcf\x11\xe0", "et gammelt Office-dokument"),
    (b"{\\rtf", "et RTF-dokument"),
)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def decode(data: bytes) -> str:
    """Text of a minutes file: BOM dropped, UTF-8 / Windows-1252 / UTF-16, LF, NFC."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode("utf-8")  # (the codec drops the BOM)
        except UnicodeDecodeError:
            raise ParseError(1, "filen begynder som UTF-16-tekst, men er ikke gyldig UTF-16") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    for signature, kind in BINARY_SIGNATURES:
        if data.lstrip()[: len(signature)] == signature:
            raise ParseError(1, f"filen er ikke tekst, men ser ud til at være {kind}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if (nul := text.find("\x00", 0, 8192)) >= 0:
        raise ParseError(
            _line_of(text, nul), "filen er ikke tekst (den indeholder NUL-bytes); er det en binær fil?"
        )
    controls = CONTROL_CHARACTERS.findall(text, 0, 8192)
    if len(controls) > max(8, len(text[:8192]) // 100):
        first = CONTROL_CHARACTERS.search(text)
        raise ParseError(
            _line_of(text, first.start()),
            "filen er ikke tekst (den indeholder mange kontroltegn); er det en binær fil?",
        )
    return text
