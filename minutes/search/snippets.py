"""Snippets of the page shown: ts_headline for those rows only, matches marked with private-use
characters that no minutes text contains. The text stays plain: the ``highlight`` template filter
(templatetags/minutes_tags.py) escapes it and only then turns the markers into <mark>.
"""

from django.db import connection
from django.utils.html import escape

from minutes.search.query import SEARCH_CONFIG, clean_query, expanded_query

MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_SOURCE_CHARS = 20_000  # characters of each field that a snippet is looked for in


def highlight(items, text: str, known: dict | None = None, fields=("decision", "summary", "presentation")):
    """{item id: snippet text with MARK_START/MARK_END around matches} for these (fetched) items only."""
    text = clean_query(text)
    ids = [item.pk for item in items]
    if not text or not ids:
        return {}
    query, params = f"websearch_to_tsquery('{SEARCH_CONFIG}', %s)", [text]
    if (expanded := expanded_query(text, known)) is not None:  # mark "bilflåde" for "flåde" too
        query, params = f"({query} || to_tsquery('simple', %s))", [text, expanded]
    # ts_headline reads the whole text it is given: a bounded start of each field keeps a search's
    # time independent of the size of one referat (a 400,000-character item is allowed).
    document = " || ' ' || ".join(f"left(coalesce({field}, ''), {SNIPPET_SOURCE_CHARS})" for field in fields)
    options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=30, MinWords=12"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, ts_headline('{SEARCH_CONFIG}', {document}, {query}, %s)"
            " FROM minutes_agendaitem WHERE id = ANY(%s)",
            [*params, options, ids],
        )
        rows = cursor.fetchall()
    return {pk: snippet for pk, snippet in rows if snippet and MARK_START in snippet}


def marked_html(snippet: str) -> str:
    """A marked snippet as HTML: everything escaped, then the markers made <mark> elements."""
    return str(escape(snippet)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def plain(snippet: str) -> str:
    """A marked snippet as text (the API, the feed): the markers removed."""
    return snippet.replace(MARK_START, "").replace(MARK_END, "")
