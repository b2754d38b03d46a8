"""The compound look-up's copy of the Term table in memory (search/vocabulary.py) answers as the table
does, and follows every change of the table, rolled-back ones included."""

import pytest
from django.db import connection, transaction

from minutes.search import query, vocabulary

WORDS = ["budget", "flåde", "strategi", "infrastruktur", "kommune", "plan", "møde", "vej", "drøftet"]


def from_table(word: str) -> list[str]:
    """The compounds as PostgreSQL finds them: lexemes containing the stem, shortest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ARRAY(SELECT t.lexeme FROM minutes_term t WHERE length(w.stem) >= %s"
            " AND strpos(t.lexeme, w.stem) > 0 AND t.lexeme <> w.stem"
            ' ORDER BY length(t.lexeme), t.lexeme COLLATE "C" LIMIT %s)'
            " FROM (SELECT (ts_lexize('danish_stem', %s))[1] AS stem) AS w",
            [query.MIN_EXPANSION_LENGTH, query.MAX_EXPANSIONS, word],
        )
        return cursor.fetchone()[0] or []


def compounds(word: str) -> list[str]:
    return query.stems_and_compounds([word], {word}, {})[1].get(word, [])


def add_lexemes(*lexemes: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO minutes_term (lexeme) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
            [list(lexemes)],
        )


@pytest.mark.parametrize("word", WORDS)
def test_compounds_are_the_tables(archive, word):
    assert compounds(word) == from_table(word)


def test_a_frequent_stem_gets_the_shortest_compounds_first(archive):
    add_lexemes(*[f"{'x' * n}budget" for n in range(1, query.MAX_EXPANSIONS + 10)])
    found = compounds("budget")
    assert found == from_table("budget")
    assert len(found) == query.MAX_EXPANSIONS
    assert [len(lexeme) for lexeme in found] == sorted(len(lexeme) for lexeme in found)


def test_a_lexeme_added_after_a_search_is_found_by_the_next(archive):
    assert "gummiflåd" not in compounds("flåde")  # the process now holds the vocabulary
    add_lexemes("gummiflåd")
    assert "gummiflåd" in compounds("flåde")


def test_a_lexeme_rolled_back_is_not_found_any_more(archive):
    with transaction.atomic():
        add_lexemes("sølvflåd")
        assert "sølvflåd" in compounds("flåde")
        transaction.set_rollback(True)
    assert "sølvflåd" not in compounds("flåde")
    add_lexemes("guldflåd")  # the rolled-back one's number is not used again
    assert "sølvflåd" not in compounds("flåde")
    assert "guldflåd" in compounds("flåde")


def test_an_emptied_vocabulary_widens_nothing(archive):
    assert compounds("flåde")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM minutes_term")
    assert compounds("flåde") == []


def test_words_that_are_not_widened_keep_their_stem_only(archive):
    stems, found = query.stems_and_compounds(["flåde", "og"], set(), {})
    assert stems == {"flåde": "flåd"}  # "og" is a stop word
    assert found == {"flåde": []}


def test_no_stem_finds_nothing(archive):
    assert compounds("flåde")  # the vocabulary is held
    assert vocabulary.containing("", 40, None) == []
    assert vocabulary.containing("a\nb", 40, None) == []
