"""Where the reading tests find their documents: tests/fixtures/layouts/ in the repository, and the
real referater in ../shared/real beside the clone (CI has it; a bare clone may not, and then the
tests that need it are skipped with a message)."""

import json
from pathlib import Path

import pytest

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real"


def layout(name: str) -> bytes:
    return (LAYOUTS / name).read_bytes()


def real(prefix: str) -> tuple[bytes, dict]:
    """The bytes of a real document and its hand labels; skips the test where ../shared is absent."""
    if not REAL.is_dir():
        pytest.skip("../shared/real is not beside this clone; the real referater are not here")
    document = next(p for p in REAL.glob(prefix + "_*") if p.suffix != ".json")
    labels = json.loads((REAL / "expected" / (document.stem + ".json")).read_text(encoding="utf-8"))
    return document.read_bytes(), labels


def real_prefixes(layouts: set[str]) -> list[str]:
    """The real documents of some layout families (empty where ../shared is absent)."""
    if not REAL.is_dir():
        return ["absent"]
    found = []
    for meta in sorted(REAL.glob("*.json")):
        if json.loads(meta.read_text(encoding="utf-8")).get("layout") in layouts:
            found.append(meta.name[:3])
    return found


def fold(text):
    return " ".join(str(text).split()).rstrip(".") if text is not None else None


def assert_matches_labels(meeting, labels: dict) -> None:
    """Every hand-labelled field, compared as the scorer compares (folded spaces, no final full stop)."""

    def same(want, got):
        if isinstance(want, dict) and "any_of" in want:
            return any(same(w, got) for w in want["any_of"])
        return fold(want) == fold(got)

    shown = {
        "body": meeting.body,
        "date": meeting.date and meeting.date.isoformat(),
        "start_time": meeting.start_time and meeting.start_time.strftime("%H:%M"),
        "location": meeting.location,
    }
    for key in ("body", "date", "start_time", "location"):
        if key in labels:
            assert same(labels[key], shown[key]), (key, shown[key])
    items = {item.number: item for item in meeting.items}
    assert sorted(items) == sorted(i["number"] for i in labels["items"])
    for want in labels["items"]:
        item = items[want["number"]]
        for key, value in want.items():
            if key == "decision_startswith":
                assert fold(item.decision or "").startswith(fold(value)), (want["number"], item.decision)
            elif key != "number":
                assert same(value, getattr(item, key)), (want["number"], key, getattr(item, key))
