"""A meeting as the archive shows it, what changed between two versions, and what a reader should check.

``snapshot`` reads a stored meeting back into the JSON shape of PARSE_OUTPUT.md (the shape
``reading.meeting_to_dict`` gives a parsed referat), so that a stored meeting, an earlier version
and a new upload compare field by field. ``review`` lists what a careful reader of a new
referat would want pointed out before it is published.
"""

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from minutes.models import AgendaItem, Attachment, Attendance, Meeting, OtherDecision, Treatment

CLOSED_MARK = re.compile(r"^\s*lukket\s*(?:punkt)?\s*:\s*|\s*\(lukket(?: punkt)?\)\s*$")

# The item fields a change can be in, with the labels the admin shows (Danish).
ITEM_FIELDS = {
    "title": "titel",
    "closed": "lukket punkt",
    "case_number": "sagsnr.",
    "decision": "beslutning",
    "decision_type": "beslutningstype",
    "summary": "resumé",
    "recommendation": "indstilling",
    "presentation": "sagsfremstilling",
    "economic_consequences": "økonomiske konsekvenser",
    "case_type": "sagstype",
    "journal_number": "J.nr.",
    "document_number": "dokumentnr.",
    "treated_by": "behandles af",
    "attachments": "bilag",
    "other_decisions": "andre udvalgs beslutninger",
}
MEETING_FIELDS = {"start_time": "starttidspunkt", "location": "mødested", "participants": "deltagere"}
UNUSUAL_CLOSED_SHARE = 0.5  # more closed items than this share (and more than two) is worth a look
SHOWN_CHANGE_CHARACTERS = 160  # a changed value longer than this is described by its length


def snapshot(meeting: Meeting) -> dict:
    """The stored meeting (hand corrections included) as PARSE_OUTPUT.md's JSON."""
    items = [item for _, item in read_items([meeting.pk])[meeting.pk]]
    return {
        **meeting_head(meeting),
        "participants": read_participants([meeting.pk])[meeting.pk],
        "items": items,
    }


def meeting_head(meeting: Meeting) -> dict:
    return {
        "body": meeting.body.name,
        "date": meeting.date.isoformat(),
        "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else None,
        "location": meeting.location or None,
    }


def read_participants(meeting_ids: list[int]) -> dict[int, list[str]]:
    """Each meeting's participants in document order, in one query for any number of meetings."""
    participants = defaultdict(list)
    attendances = Attendance.objects.filter(meeting_id__in=meeting_ids).order_by("meeting_id", "position")
    for meeting_id, name in attendances.values_list("meeting_id", "person__name"):
        participants[meeting_id].append(name)
    return participants


ITEM_COLUMNS = (
    "id",
    "meeting_id",
    "number",
    "title",
    "closed",
    "case__number",
    "journal_number",
    "document_number",
    "case_type",
    "decision",
    "decision_type",
    "summary",
    "recommendation",
    "presentation",
    "economic_consequences",
)


def read_items(meeting_ids: list[int]) -> dict[int, list[tuple[int, dict]]]:
    """Each meeting's (item id, item) by number, items in PARSE_OUTPUT.md's shape ("" read as None).

    Four queries for any number of meetings, rows read as tuples, not models: an item as a model
    with three prefetched lists costs ten times its row, and an export reads every item.
    """
    items = defaultdict(list)
    for meeting_id, pk, item in _item_rows(meeting_id__in=meeting_ids):
        items[meeting_id].append((pk, item))
    return items


def read_items_by_id(item_ids: list[int]) -> dict[int, tuple[int, dict]]:
    """Some items as (meeting id, item), by item id, in read_items's shape; four queries."""
    return {pk: (meeting_id, item) for meeting_id, pk, item in _item_rows(id__in=item_ids)}


def _item_rows(**which) -> Iterator[tuple[int, int, dict]]:
    """(meeting id, item id, item) of the items ``which`` selects, by meeting and number."""
    treated_by, attachments, decisions = defaultdict(list), defaultdict(list), defaultdict(list)
    parts = {f"item__{name}": value for name, value in which.items()}
    treatments = Treatment.objects.filter(**parts).order_by("item_id", "position")
    for item_id, body in treatments.values_list("item_id", "body__name"):
        treated_by[item_id].append(body)
    titles = Attachment.objects.filter(**parts).order_by("item_id", "position")
    for item_id, title in titles.values_list("item_id", "title"):
        attachments[item_id].append(title)
    other = OtherDecision.objects.filter(**parts).order_by("item_id", "position")
    for item_id, body, date, text in other.values_list("item_id", "body__name", "date", "text"):
        decisions[item_id].append({"body": body, "date": date.isoformat() if date else None, "text": text})
    rows = AgendaItem.objects.filter(**which).order_by("meeting_id", "number")
    for row in rows.values_list(*ITEM_COLUMNS):
        item = dict(zip(ITEM_COLUMNS, row, strict=True))
        yield (
            item["meeting_id"],
            item["id"],
            {
                "number": item["number"],
                "title": item["title"],
                "closed": item["closed"],
                "case_number": item["case__number"],
                "journal_number": item["journal_number"] or None,
                "document_number": item["document_number"] or None,
                "case_type": item["case_type"] or None,
                "decision": item["decision"] or None,
                "decision_type": item["decision_type"] or None,
                "other_decisions": decisions[item["id"]],
                "treated_by": treated_by[item["id"]],
                "attachments": attachments[item["id"]],
                "summary": item["summary"] or None,
                "recommendation": item["recommendation"] or None,
                "presentation": item["presentation"] or None,
                "economic_consequences": item["economic_consequences"] or None,
            },
        )


@dataclass
class ItemChange:
    kind: str  # "added", "removed" or "changed"
    number: int
    title: str
    fields: list[str] = field(default_factory=list)  # labels of the changed fields
    values: list[tuple] = field(default_factory=list)  # (label, old, new) of each changed field


@dataclass
class Changes:
    meeting: list[str]  # labels of changed meeting fields
    items: list[ItemChange]

    def __bool__(self):
        return bool(self.meeting or self.items)


def diff(old: dict, new: dict) -> Changes:
    """What changes from ``old`` to ``new`` (both PARSE_OUTPUT.md JSON), item by item (by number)."""
    meeting = [label for name, label in MEETING_FIELDS.items() if _value(old, name) != _value(new, name)]
    before = {item["number"]: item for item in old["items"]}
    after = {item["number"]: item for item in new["items"]}
    items = []
    for number in sorted(before.keys() | after.keys()):
        if number not in before:
            items.append(ItemChange("added", number, after[number]["title"]))
        elif number not in after:
            items.append(ItemChange("removed", number, before[number]["title"]))
        else:
            values = [
                (label, _value(before[number], name), _value(after[number], name))
                for name, label in ITEM_FIELDS.items()
                if _value(before[number], name) != _value(after[number], name)
            ]
            if values:
                labels = [label for label, _, _ in values]
                items.append(ItemChange("changed", number, after[number]["title"], labels, values))
    return Changes(meeting, items)


def describe(changes: Changes) -> list[str]:
    """The changes as Danish sentences, one per meeting field or item, with old → new where short."""
    lines = [f"Mødet: {label} ændret" for label in changes.meeting]
    for change in changes.items:
        what = {"added": "tilføjet", "removed": "fjernet"}.get(change.kind)
        if what is None:
            what = "ændret: " + "; ".join([_old_to_new(*values) for values in change.values] or change.fields)
        lines.append(f"Punkt {change.number} ({change.title}): {what}")
    return lines


def _old_to_new(label: str, old, new) -> str:
    """'beslutning «Anbefales.» → «Godkendt.»'; a long text only says how much it changed."""
    old, new = _shown(old), _shown(new)
    if max(len(old), len(new)) > SHOWN_CHANGE_CHARACTERS:
        return f"{label} (omskrevet: {len(old)} → {len(new)} tegn)"
    return f"{label} {old or '(tom)'} → {new or '(tom)'}"


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "«ja»" if value else "«nej»"
    if isinstance(value, list):
        value = ", ".join(str(e.get("text", e)) if isinstance(e, dict) else str(e) for e in value)
    return f"«{value}»"


def _value(data: dict, name: str):
    """A field's value with empty and missing alike (a stored "" is a parsed None)."""
    value = data.get(name)
    return value if value not in ("", [], None) else None


def review(parsed: dict, contents: list[str], repairs: list[str]) -> list[str]:
    """Warnings a careful reader wants before publishing a parsed referat (PARSE_OUTPUT.md JSON)."""
    warnings = list(repairs)
    items = parsed["items"]
    open_items = [item for item in items if not item["closed"]]
    with_case = [item for item in open_items if item["case_number"]]
    if len(with_case) * 2 >= len(open_items):  # the format gives case numbers: flag the gaps
        warnings += [
            f"Punkt {item['number']} ({item['title']}) har intet sagsnummer, som de andre punkter har."
            for item in open_items
            if not item["case_number"]
        ]
    warnings += [
        f"Punkt {item['number']}: beslutningen kunne ikke henføres til en type ({_start(item['decision'])})."
        for item in items
        if item["decision"] and item["decision_type"] in (None, "other")
    ]
    if parsed.get("kind", "referat") == "referat":  # a dagsorden has no decisions yet
        warnings += [
            f"Punkt {item['number']}: beslutningen mangler."
            for item in open_items
            if not item["decision"] and item["decision_type"] is None
        ]
    warnings += _contents_mismatches(items, contents)
    closed = len(items) - len(open_items)
    if closed > 2 and closed > UNUSUAL_CLOSED_SHARE * len(items):
        warnings.append(f"Usædvanligt mange lukkede punkter: {closed} af {len(items)}.")
    return warnings


def _contents_mismatches(items: list[dict], contents: list[str]) -> list[str]:
    if not contents:
        return []
    if len(contents) != len(items):
        return [f"Indholdsfortegnelsen har {len(contents)} punkter, referatet {len(items)}."]
    message = "Punkt {}: overskriften «{}» svarer ikke til indholdsfortegnelsen: «{}»."
    return [
        message.format(item["number"], item["title"], title)
        for item, title in zip(items, contents, strict=True)
        if not _agree(_normal(item["title"]), _normal(title))
    ]


def _agree(heading: str, entry: str) -> bool:
    """A table of contents may cut long titles short: a prefix of ten letters or more agrees."""
    short, long = sorted((heading, entry), key=len)
    return heading == entry or (len(short) >= 10 and long.startswith(short.rstrip(" .…")))


def _normal(title: str) -> str:
    # A table of contents marks closed items "Lukket: …" where the heading does not (seed 000).
    title = CLOSED_MARK.sub("", title.lower())
    return " ".join(title.replace("-", " ").split()).strip(" .:")


def _start(text: str, words: int = 8) -> str:
    head = text.split()
    return " ".join(head[:words]) + (" …" if len(head) > words else "")
