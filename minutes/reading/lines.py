"""Text as numbered, cleaned lines, and lines back as paragraphs of plain text.

Shared by the readers of text layouts. ``Line.number`` is the 1-based line of the
decoded text, which is what a ``ParseError`` names. ``strip_markdown`` removes
markdown marks and folds runs of spaces; ``text_lines`` also drops PDF page
breaks, page numbers and running headers; ``join_text`` joins the lines of a
section into paragraphs.
"""

import re
from dataclasses import dataclass

from minutes.reading import repair


@dataclass(slots=True)
class Line:
    number: int  # 1-based, in the decoded text
    text: str  # markdown marks and debris removed, whitespace trimmed
    bold_open: bool = False  # a "**" opened on this line is closed on a later one


MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
MD_TAGS = re.compile(r"</?(?:i|b|u|em|strong|sup|sub|span|br)\s*/?>", re.IGNORECASE)
MD_STAR_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=\S)(.+?)(?<=[^\s\\])\*(?![\w*])")
MD_UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=[^\s\\])_(?!\w)")
MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
PAGE_NUMBER = re.compile(r"^(?:side\s+)?\d{1,3}(?:\s*(?:af|/)\s*\d{1,3})?$", re.IGNORECASE)
SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f]+")
ODD_SPACE = re.compile(r"[\u00a0\u2000-\u200a\u202f]")  # a space in SPACES other than U+0020


MD_MARKS = re.compile(r"[#*_<\\>]")
MD_MARK_OR_ODD_SPACE = re.compile(r"[#*_<\\>\u00a0\u2000-\u200a\u202f]")


def strip_markdown(raw: str) -> str:
    # The parser calls this for every line of every referat, and most lines are
    # plain words and single spaces: each regex below runs only if it can change
    # the text (one search for both kinds of work saves a regex call per line).
    if "  " not in raw and not MD_MARK_OR_ODD_SPACE.search(raw):
        return raw.strip(" |")
    if not MD_MARKS.search(raw):
        return _fold_spaces(raw)
    text = MD_HEADING.sub("", raw) if "#" in raw else raw
    if "<" in text:
        text = MD_TAGS.sub("", text)
    text = text.replace("**", "").replace("__", "")
    if "*" in text:
        text = MD_STAR_EMPHASIS.sub(r"\1", text)
    if "_" in text:
        text = MD_UNDERSCORE_EMPHASIS.sub(r"\1", text)
    if "\\" in text:
        text = MD_ESCAPE.sub(r"\1", text)
    if text.lstrip().startswith("> "):
        text = text.lstrip()[2:]
    return _fold_spaces(text)


def _fold_spaces(text: str) -> str:
    """Each run of spaces (of any width) as one plain space; no spaces or pipes at the ends."""
    # SPACES.sub is slow on ordinary prose, where every single space is a match.
    if "  " in text or ODD_SPACE.search(text):
        text = SPACES.sub(" ", text)
    return text.strip(" |")


def text_lines(text: str) -> list[Line]:
    """The text as cleaned lines; page breaks, page numbers and running headers removed."""
    raw_lines = text.split("\n")
    lines: list[Line] = []
    page_edges: list[int] = []  # indexes in ``lines`` next to a form feed
    for number, raw in enumerate(raw_lines, start=1):
        if not raw:  # about half the lines of a referat
            lines.append(Line(number, ""))
            continue
        pieces = raw.split("\f")
        for i, piece in enumerate(pieces):
            if i > 0:
                page_edges.append(len(lines))
                lines.append(Line(number, "\f"))
            cleaned = repair.drop_debris(strip_markdown(piece))
            bold_open = piece.count("**") % 2 == 1
            lines.append(Line(number, cleaned or "", bold_open and bool(cleaned)))
    _drop_page_furniture(lines, page_edges)
    if page_edges or "\x00" in text:  # (_join_pages also drops lone NULs, its marker)
        return _join_pages(lines)
    return lines  # no page breaks, as in most referater


def _drop_page_furniture(lines: list[Line], page_edges: list[int]) -> None:
    """Blank out page numbers and headers/footers that repeat at page breaks."""
    near_edges: dict[str, list[int]] = {}
    for edge in page_edges:
        for step in (-1, 1):
            i = edge + step
            while 0 <= i < len(lines) and not lines[i].text:
                i += step
            if 0 <= i < len(lines) and lines[i].text != "\f" and len(lines[i].text) < 90:
                key = re.sub(r"\d+", "#", lines[i].text.lower())
                near_edges.setdefault(key, []).append(i)
    for key, indexes in near_edges.items():
        if len(set(indexes)) >= 2 or PAGE_NUMBER.match(key.replace("#", "1")):
            for i in indexes:
                lines[i].text = ""
    for line in lines:
        # (a page number ends in a digit; the test saves a regex call on most lines)
        if line.text[-1:].isdecimal() and PAGE_NUMBER.match(line.text):
            line.text = ""


def _join_pages(lines: list[Line]) -> list[Line]:
    """Remove page-break markers, rejoining a paragraph that a page break cut."""
    out: list[Line] = []
    for i, line in enumerate(lines):
        if line.text != "\f":
            out.append(line)
            continue
        before = next((x for x in reversed(out) if x.text), None)
        after = next((x for x in lines[i + 1 :] if x.text and x.text != "\f"), None)
        if before and after and not re.search(r"[.:;!?]$", before.text) and after.text[:1].islower():
            while out and not out[-1].text:
                out.pop()
            j = i + 1
            while j < len(lines) and not lines[j].text:
                lines[j].text = "\x00"  # marker: skip this blank, the paragraph goes on
                j += 1
        else:
            out.append(Line(line.number, ""))
    return [x for x in out if x.text != "\x00"]


LIST_MARKER = re.compile(r"^(?:[-*•·o–]\s|\d{1,2}[.)]\s|[a-z][.)]\s)")


def join_text(lines: list[Line]) -> str | None:
    """Lines of a section as plain text: paragraphs separated by a blank line.

    A line that starts with a lower-case letter continues the line before it (a
    wrapped sentence, possibly with a word broken by a hyphen); lists and
    tab-separated tables keep their lines.
    """
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        text = line.text
        if not text:
            if current:
                paragraphs.append(current)
                current = []
            continue
        if current and _continues(current[-1], text):
            current[-1] = join_wrapped(current[-1], text)
        else:
            current.append(text)
    if current:
        paragraphs.append(current)
    result = "\n\n".join("\n".join(p) for p in paragraphs).strip()
    return result or None


def _continues(previous: str, text: str) -> bool:
    return (
        text[:1].islower()
        and "\t" not in previous
        and "\t" not in text
        and not LIST_MARKER.match(text)
        and not previous.endswith(":")
    )


def join_wrapped(first: str, second: str) -> str:
    """Join a line that wrapped; "Budgetopfølg-" + "ning" -> "Budgetopfølgning"."""
    if not first.endswith("-"):  # (the searches below would scan a whole paragraph to find out)
        return f"{first} {second}"
    if re.search(r"(?:\d|\b[A-ZÆØÅ]{2,5})-$", first):  # "0-" / "emissionsdrift", "IT-" / "kompetence…"
        return first + second
    if re.search(r"[^\W\d_]{2}-$", first):
        next_word = second.split(" ", 1)[0]
        if next_word in ("og", "eller", "samt", "til"):  # "Unge- og Beskæftigelsesudvalget"
            return f"{first} {second}"
        if second[:1].islower():
            return first[:-1] + second
        return first + second
    return f"{first} {second}"


def single_line(lines: list[Line]) -> str | None:
    text = join_text(lines)
    return " ".join(text.split()) if text else None
