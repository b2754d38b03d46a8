"""The archive's vocabulary: the Term table of lexemes (for compounds and spelling), and what to offer
when a query finds nothing: the nearest words, a corrected query word by word, people and bodies.

Term never shrinks, so it may hold lexemes no item has any more, which only costs an empty expansion.
"""

from dataclasses import dataclass

from django.db import connection, transaction

from minutes.search.query import SEARCH_CONFIG, _quote_lexeme, clean_query, parse

MIN_SUGGESTED_LENGTH = 3


@dataclass(frozen=True)
class Nearest:
    """Something of the archive near a query: a word (or corrected query), a person or a body."""

    text: str
    kind: str  # "word", "person" or "body"
    slug: str = ""


def suggestions(text: str, limit: int = 3) -> list[Nearest]:
    """What the archive has nearest to a query that found nothing.

    A query of several words is first corrected word by word ("Kalundborg Rockrs" -> "kalundborg
    rockers"); then the words, people and bodies nearest to the whole query (trigram similarity).
    The term table holds stems ("flådestyr"); each is shown as a word of the minutes it stands for.
    """
    text = clean_query(text).lower()
    if len(text) < MIN_SUGGESTED_LENGTH:
        return []
    found: list[Nearest] = []
    words = [word for clause in parse(text) for term in clause if not term.negated for word in term.words]
    if len(words) > 1 and (corrected := corrected_words(words)) != words:
        found.append(Nearest(" ".join(corrected), "word"))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT word, kind, slug FROM (
                SELECT lexeme AS word, 'word' AS kind, '' AS slug, similarity(lexeme, %s) AS score
                FROM minutes_term WHERE lexeme %% %s
                UNION ALL
                SELECT name, 'person', slug, greatest(similarity(lower(name), %s),
                    similarity(split_part(lower(name), ' ', -1), %s))
                FROM minutes_person WHERE lower(name) %% %s OR split_part(lower(name), ' ', -1) %% %s
                UNION ALL
                SELECT name, 'body', slug, similarity(lower(name), %s)
                FROM minutes_body WHERE lower(name) %% %s
            ) AS candidates
            WHERE lower(word) <> %s
            ORDER BY score DESC, word LIMIT %s
            """,
            [text] * 9 + [limit],
        )
        rows = cursor.fetchall()
    for word, kind, slug in rows:
        word = surface_word(word) if kind == "word" else word
        if word.lower() != text and word not in [n.text for n in found]:
            found.append(Nearest(word, kind, slug))
    return found[:limit]


def corrected_words(words: list[str]) -> list[str]:
    """Each word as the archive writes it: a word whose stem the archive has stays, another becomes
    the nearest word of the archive (when one is near enough)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT w.word, w.n,
                   EXISTS (SELECT 1 FROM minutes_term t WHERE t.lexeme = (ts_lexize('{SEARCH_CONFIG}_stem',
                           w.word))[1]) OR (ts_lexize('{SEARCH_CONFIG}_stem', w.word))[1] IS NULL,
                   (SELECT t.lexeme FROM minutes_term t WHERE t.lexeme %% w.word
                    ORDER BY similarity(t.lexeme, w.word) DESC, t.lexeme LIMIT 1)
            FROM unnest(%s::text[]) WITH ORDINALITY AS w(word, n)
            ORDER BY w.n
            """,
            [words],
        )
        rows = cursor.fetchall()
    corrected = []
    for word, _, known, nearest in rows:
        if known or len(word) < MIN_SUGGESTED_LENGTH or word.isdigit() or nearest is None:
            corrected.append(word)
        else:
            corrected.append(surface_word(nearest))
    return corrected


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
