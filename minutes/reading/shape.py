"""The one shape of a parsed meeting: frozen dataclasses, and their JSON form.

Every reader returns a ``Meeting``; ``meeting_to_dict`` gives the JSON of
docs/PARSE_OUTPUT.md (the contract that ``parse_minutes`` prints and the scorer
checks) and ``meeting_from_dict`` reads it back. A reader that cannot read a
document raises ``ParseError`` with the 1-based line of the decoded text and a
Danish reason a person can act on.
"""

import datetime
from dataclasses import dataclass, field

DECISION_TYPES = (
    "approved",
    "recommended",
    "discussed",
    "noted",
    "rejected",
    "postponed",
    "no_remarks",
    "other",
)
KINDS = ("referat", "dagsorden")


class ParseError(Exception):
    def __init__(self, line: int, reason: str):
        super().__init__(f"{line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class OtherDecision:
    body: str
    date: datetime.date | None
    text: str


@dataclass(frozen=True)
class Item:
    number: int
    title: str
    closed: bool
    case_number: str | None = None
    journal_number: str | None = None
    document_number: str | None = None
    case_type: str | None = None
    decision: str | None = None
    decision_type: str | None = None
    other_decisions: tuple[OtherDecision, ...] = ()
    treated_by: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    summary: str | None = None
    recommendation: str | None = None
    presentation: str | None = None
    economic_consequences: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Meeting:
    body: str | None  # None where the document does not name the body
    date: datetime.date | None  # None where the document does not print the date
    start_time: datetime.time | None
    location: str | None
    participants: tuple[str, ...]
    items: tuple[Item, ...]
    contents: tuple[str, ...] = ()  # titles as the table of contents gives them
    warnings: tuple[str, ...] = field(default=(), compare=False)  # every guess the reader made, in Danish
    layout: str = "firstagenda"  # which reader read it (detect.py)
    kind: str = "referat"  # or "dagsorden": no decisions, and the document calls itself one
    missing_items: tuple[str, ...] = ()  # contents entries the (cut-off) document does not hold
    single_item: bool = False  # a page of one agenda item, not the whole meeting


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def item_to_dict(item: Item) -> dict:
    return {
        "number": item.number,
        "title": item.title,
        "closed": item.closed,
        "case_number": item.case_number,
        "journal_number": item.journal_number,
        "document_number": item.document_number,
        "case_type": item.case_type,
        "decision": item.decision,
        "decision_type": item.decision_type,
        "other_decisions": [
            {"body": d.body, "date": _date(d.date), "text": d.text} for d in item.other_decisions
        ],
        "treated_by": list(item.treated_by),
        "attachments": list(item.attachments),
        "summary": item.summary,
        "recommendation": item.recommendation,
        "presentation": item.presentation,
        "economic_consequences": item.economic_consequences,
    }


def meeting_to_dict(meeting: Meeting) -> dict:
    """What was read, as JSON: the meeting and its items (the shape stored versions are compared in)."""
    return {
        "body": meeting.body,
        "date": _date(meeting.date),
        "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else None,
        "location": meeting.location,
        "participants": list(meeting.participants),
        "items": [item_to_dict(item) for item in meeting.items],
    }


def meeting_to_json(meeting: Meeting) -> dict:
    """The whole JSON of docs/PARSE_OUTPUT.md: what was read, which reader read it and every guess."""
    return {
        "layout": meeting.layout,
        "kind": meeting.kind,
        **meeting_to_dict(meeting),
        "single_item": meeting.single_item,
        "missing_items": list(meeting.missing_items),
        "warnings": list(meeting.warnings),
    }


def _parse_date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def meeting_from_dict(data: dict) -> Meeting:
    """The inverse of ``meeting_to_json`` and ``meeting_to_dict`` (``line`` of the items is not part of the
    JSON: 0; what ``meeting_to_dict`` leaves out takes its default)."""
    items = tuple(
        Item(
            **{
                **{k: v for k, v in raw.items() if k not in ("other_decisions", "treated_by", "attachments")},
                "other_decisions": tuple(
                    OtherDecision(d["body"], _parse_date(d["date"]), d["text"])
                    for d in raw["other_decisions"]
                ),
                "treated_by": tuple(raw["treated_by"]),
                "attachments": tuple(raw["attachments"]),
            }
        )
        for raw in data["items"]
    )
    start = data.get("start_time")
    return Meeting(
        body=data["body"],
        date=_parse_date(data["date"]),
        start_time=datetime.time.fromisoformat(start) if start else None,
        location=data["location"],
        participants=tuple(data["participants"]),
        items=items,
        warnings=tuple(data.get("warnings", ())),
        layout=data.get("layout", "firstagenda"),
        kind=data.get("kind", "referat"),
        missing_items=tuple(data.get("missing_items", ())),
        single_item=data.get("single_item", False),
    )
