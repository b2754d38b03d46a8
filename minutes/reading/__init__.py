"""Reading minutes: bytes, text, HTML or XML in -> a frozen ``Meeting`` out. Pure Python, no Django.

The public face, for the importer and the commands:

* ``read_bytes(data, vocabulary=None)`` / ``read_text(text, vocabulary=None)`` pick the reader by
  looking at the document (detect.py) and return a ``Meeting``, or raise ``ParseError`` (``.line``,
  ``.reason`` in Danish).
* ``require_complete(meeting)`` raises ``ParseError`` for what an import must not take as it is:
  no body, no date, or a cut-off document (``missing_items``).
* ``meeting_to_json`` (the JSON contract, docs/PARSE_OUTPUT.md), ``meeting_to_dict`` (what was read,
  the shape stored versions compare with) and ``meeting_from_dict``.
"""

from minutes.reading.decode import decode
from minutes.reading.detect import read_bytes, read_text
from minutes.reading.shape import (
    DECISION_TYPES,
    Item,
    Meeting,
    OtherDecision,
    ParseError,
    meeting_from_dict,
    meeting_to_dict,
    meeting_to_json,
)

__all__ = [
    "DECISION_TYPES",
    "Item",
    "Meeting",
    "OtherDecision",
    "ParseError",
    "decode",
    "meeting_from_dict",
    "meeting_to_dict",
    "meeting_to_json",
    "read_bytes",
    "read_text",
    "require_complete",
]


def require_complete(meeting: Meeting) -> Meeting:
    """The meeting, if an import can take it as it is; else ParseError naming what a person must supply."""
    if meeting.missing_items:
        raise ParseError(
            1, "dokumentet er afkortet; det mangler punkterne " + "; ".join(meeting.missing_items)
        )
    if meeting.body is None:
        raise ParseError(1, "dokumentet nævner ikke hvilket udvalg der holdt mødet; angiv det (--udvalg)")
    if meeting.date is None:
        raise ParseError(1, "dokumentet nævner ikke mødedatoen; angiv den (--dato)")
    return meeting
