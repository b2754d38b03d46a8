"""Saved HTML pages: the visible text as lines, then the reader for the page's layout.

selectolax (the Lexbor HTML5 parser) reads the page: fast on the large pages
municipal sites save (FirstAgenda's publication page is 0.5 MB, most of it an
inline script), tolerant of broken markup like a browser, and with no network or
entity access. Scripts, styles, forms, navigation, menus, cookie banners and
"Udskriv"/"Til toppen" links are skipped; headings, paragraphs, list items and
table cells each become a line, so the general reader sees the page as a person
reads it. FirstAgenda's publication page has its own reader (firstagenda_html.py).
"""

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from minutes.reading import general
from minutes.reading.lines import Line
from minutes.reading.shape import Meeting, ParseError

SKIPPED = frozenset("script style noscript template svg nav form iframe object head select footer".split())
BLOCKS = frozenset(
    "p div br li ul ol tr td th h1 h2 h3 h4 h5 h6 table thead tbody section article header footer main aside"
    " dd dt dl"
    " blockquote pre fieldset figure figcaption caption hr address button label summary details".split()
)
# Page chrome by class, id or role: menus, breadcrumbs, cookie banners, skip links.
CHROME = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|breadcrumbs?|cookie\w*|consent|skip\w*|sr-only)(?:$|[\s_-])",
    re.IGNORECASE,
)


def visible_lines(markup: str | LexborNode) -> list[str]:
    """The text a reader sees, one line per block (heading, paragraph, list item, table cell)."""
    root = LexborHTMLParser(markup).body if isinstance(markup, str) else markup
    if root is None:
        return []
    out: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            out.append(text)
        current.clear()

    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag
        if closing:
            flush()
            continue
        if tag == "-text":
            current.append(node.text_content or "")
            continue
        if tag in SKIPPED or tag.startswith("-") or _is_chrome(node):
            continue
        block = tag in BLOCKS
        if block:
            flush()
            stack.append((node, True))
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    flush()
    return out


def _is_chrome(node: LexborNode) -> bool:
    attributes = node.attributes
    if attributes.get("hidden") is not None or attributes.get("aria-hidden") == "true":
        return True
    if attributes.get("role") in ("navigation", "banner", "menu", "menubar", "dialog", "button"):
        return True
    names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    return bool(names.strip()) and bool(CHROME.search(names))


def read(text: str) -> Meeting:
    from minutes.reading import firstagenda_html

    tree = LexborHTMLParser(text)
    if firstagenda_html.looks_like(tree):
        return firstagenda_html.read(tree, text)
    lines = [Line(n, line) for n, line in enumerate(visible_lines(tree.body) if tree.body else [], start=1)]
    lines = general.text_to_lines("\n".join(line.text for line in lines))
    if not any(line.text for line in lines):
        raise ParseError(1, "siden har ingen synlig tekst")
    return general.read(lines, layout="html")
