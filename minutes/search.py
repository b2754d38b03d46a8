"""Every piece of full-text knowledge: configuration, queries, compound words, case numbers, snippets.

The stored vector on AgendaItem is built with SEARCH_CONFIG; every query against it
names the same configuration (a bare string would use the server default, English).
Nothing here computes to_tsvector per row at query time, and snippets (ts_headline)
are computed only for the rows of the page shown.

Danish compounds: stemming finds "budgetter" for "budget" but not "budgetopfølgning".
The Term table holds every lexeme of the archive's vectors (record_terms, after an
import); a query word is expanded with the lexemes that contain it (a pg_trgm index
answers LIKE '%word%'), and the rank counts exact hits far above compound hits.
"""

import html
import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import F, FloatField, Q, Value

SEARCH_CONFIG = "danish"
MAX_QUERY_LENGTH = 500  # characters; longer input is cut, not refused
MAX_EXPANSIONS = 40  # compound lexemes per query word
MIN_EXPANSION_LENGTH = 4  # "vej" would drag in half the archive
EXACT_WEIGHT = 10.0

# 24-003210, 21-046857K, 326-2020-15086, EMN-2025-003383, typed with spaces or without zeros.
CASE_NUMBER = re.compile(
    r"(?<![\w-])(?P<prefix>[A-ZÆØÅ]{1,5}[ -])?(?P<a>\d{2,4})[ -](?P<b>\d{1,7})(?:[ -](?P<c>\d{1,7}))?"
    r"(?P<suffix>[A-ZÆØÅ])?(?![\w-])",
    re.IGNORECASE,
)
# Markers for ts_headline that no minutes text contains (Unicode private use area).
MARK_START, MARK_END = "\ue000", "\ue001"


def case_key(number: str) -> str:
    """The key under which a case number is found however it is typed: 24-003210 -> 24-3210."""
    match = CASE_NUMBER.fullmatch(number.strip())
    if not match:
        return re.sub(r"\s+", "", number.strip().upper())
    return _key(match)


def _key(match: re.Match) -> str:
    groups = [str(int(g)) for g in (match["a"], match["b"], match["c"]) if g]
    prefix = match["prefix"][:-1].upper() + "-" if match["prefix"] else ""
    return prefix + "-".join(groups) + (match["suffix"] or "").upper()


def case_query(text: str) -> str | None:
    """The case key when the whole query is a case number, else None."""
    match = CASE_NUMBER.fullmatch(text.strip())
    return _key(match) if match else None


def case_keys_in(text: str) -> list[str]:
    """Keys of the case numbers typed inside a longer query."""
    return [_key(m) for m in CASE_NUMBER.finditer(text)]


def clean_query(text: str) -> str:
    """The query as searched: control characters removed, length capped."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text or "")
    return text[:MAX_QUERY_LENGTH].strip()


def _simple_words(text: str) -> list[str] | None:
    """The words of a query without operators, or None when it uses web-search syntax."""
    if re.search(r'["]|(^|\s)-\S|\bor\b', text, re.IGNORECASE):
        return None
    return re.findall(r"[^\W_]+", text.lower())


def expanded_query(text: str, known: dict | None = None) -> str | None:
    """A tsquery (text form, 'simple' config: lexemes as they are) adding compound lexemes.

    Each query word becomes (its stem | lexemes containing it); None when there is nothing
    to add (web-search syntax, stop words only, no compounds in the archive). ``known`` keeps
    the answers of one request, so facets, results and snippets ask the database once.
    """
    if known is not None:
        if text not in known:
            known[text] = expanded_query(text)
        return known[text]
    words = _simple_words(text)
    if not words:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT w.stem,
                   ARRAY(SELECT t.lexeme FROM minutes_term t
                         WHERE length(w.stem) >= %s AND t.lexeme LIKE '%%' || w.stem || '%%'
                           AND t.lexeme <> w.stem
                         ORDER BY length(t.lexeme), t.lexeme LIMIT %s)
            FROM (SELECT DISTINCT (ts_lexize('danish_stem', word))[1] AS stem
                  FROM unnest(%s::text[]) AS word) AS w
            WHERE w.stem IS NOT NULL
            """,
            [MIN_EXPANSION_LENGTH, MAX_EXPANSIONS, words],
        )
        groups = cursor.fetchall()
    if not any(compounds for _, compounds in groups):
        return None
    return " & ".join(
        "(" + " | ".join(_quote_lexeme(lexeme) for lexeme in [stem, *compounds]) + ")"
        for stem, compounds in groups
    )


def _quote_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _query_and_rank(text: str, known: dict | None):
    """The tsquery of a (cleaned, non-empty) query and its rank expression.

    Expressions, not raw SQL, so that they name the right table alias inside subqueries.
    """
    exact = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    expanded = expanded_query(text, known)
    if expanded is None:
        return exact, SearchRank(F("search_vector"), exact)
    compounds = SearchQuery(expanded, search_type="raw", config="simple")
    rank = Value(EXACT_WEIGHT) * SearchRank(F("search_vector"), exact) + SearchRank(
        F("search_vector"), compounds
    )
    return exact | compounds, rank


def search(items, text: str, known: dict | None = None):
    """Items matching the query, annotated with ``rank`` (exact hits far above compound hits)."""
    text = clean_query(text)
    if not text:
        return items.annotate(rank=Value(0.0, output_field=FloatField()))
    query, rank = _query_and_rank(text, known)
    keys = case_keys_in(text)
    if keys:  # "flådestyring 23-012486": the case's items are hits too
        return items.filter(Q(search_vector=query) | Q(case__key__in=keys)).annotate(rank=rank)
    return items.filter(search_vector=query).annotate(rank=rank)


def ranked(items, text: str, known: dict | None = None):
    """These items (already known to match) annotated with the query's ``rank``."""
    text = clean_query(text)
    if not text:
        return items.annotate(rank=Value(0.0, output_field=FloatField()))
    return items.annotate(rank=_query_and_rank(text, known)[1])


def suggestions(text: str, limit: int = 3) -> list[str]:
    """Words and names of the archive nearest to a query that found nothing (trigram similarity).

    The term table holds stems ("flådestyr"); each is shown as a word of the minutes it stands for.
    """
    text = clean_query(text).lower()
    if len(text) < 3:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT word, is_term FROM (
                SELECT lexeme AS word, true AS is_term, similarity(lexeme, %s) AS score
                FROM minutes_term WHERE lexeme %% %s
                UNION ALL
                SELECT name, false, similarity(lower(name), %s) FROM minutes_person WHERE lower(name) %% %s
                UNION ALL
                SELECT name, false, similarity(lower(name), %s) FROM minutes_body WHERE lower(name) %% %s
            ) AS candidates
            WHERE lower(word) <> %s
            ORDER BY score DESC, word LIMIT %s
            """,
            [text, text, text, text, text, text, text, limit],
        )
        rows = cursor.fetchall()
    words = []
    for word, is_term in rows:
        word = surface_word(word) if is_term else word
        if word.lower() != text and word not in words:
            words.append(word)
    return words


def surface_word(lexeme: str) -> str:
    """The shortest (the base form, mostly) word of the minutes that stems to this lexeme."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT word FROM (
                SELECT title, decision, summary, recommendation, presentation FROM minutes_agendaitem
                WHERE search_vector @@ to_tsquery('simple', %s) LIMIT 5
            ) AS item, LATERAL regexp_split_to_table(
                lower(concat_ws(' ', title, decision, summary, recommendation, presentation)), '[^[:alnum:]]+'
            ) AS word
            WHERE (ts_lexize('{SEARCH_CONFIG}_stem', word))[1] = %s
            GROUP BY word ORDER BY length(word), count(*) DESC, word LIMIT 1
            """,
            [_quote_lexeme(lexeme), lexeme],
        )
        row = cursor.fetchone()
    return row[0] if row else lexeme


def record_terms(meeting_ids) -> None:
    """Add the lexemes of these meetings' items to the Term table (after an import)."""
    ids = sorted({int(i) for i in meeting_ids})
    if ids:
        _record_terms(
            f"SELECT search_vector FROM minutes_agendaitem WHERE meeting_id IN ({','.join(map(str, ids))})"
        )


def record_pending_terms() -> None:
    """Add the lexemes of every meeting written since its words were last recorded (terms_pending):
    the meetings of this import run, and those of a run killed before its end."""
    with transaction.atomic():  # killed here, the meetings stay pending
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE minutes_meeting SET terms_pending = false WHERE terms_pending RETURNING id"
            )
            ids = [row[0] for row in cursor.fetchall()]
        record_terms(ids)


def _record_terms(inner: str) -> None:
    # ts_stat takes the query that yields the vectors as text; callers build it from integers
    # or a checked hex id only.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO minutes_term (lexeme) SELECT word FROM ts_stat(%s) WHERE length(word) <= 200"
            " ORDER BY word ON CONFLICT DO NOTHING",
            [inner],
        )


SNIPPET_SOURCE_CHARS = 20_000  # characters of each field that a snippet is looked for in


def highlight(items, text: str, known: dict | None = None, fields=("decision", "summary", "presentation")):
    """Escaped HTML snippets with <mark>ed words for these (already fetched) items only."""
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
    return {pk: _marked(snippet) for pk, snippet in rows if snippet and MARK_START in snippet}


def _marked(snippet: str) -> str:
    escaped = html.escape(snippet)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
