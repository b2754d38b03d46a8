"""What a query means: the full-text configuration, case numbers as people paste them, and the
query with its Danish compounds, operators included.

The stored vector on AgendaItem is built with SEARCH_CONFIG; every query against it names the same
configuration (a bare string would use the server default, English). Nothing here computes
to_tsvector per row at query time. This module imports no model (models.py imports SEARCH_CONFIG).

Danish compounds: stemming finds "budgetter" for "budget" but not "budgetopfølgning". The Term table
holds every lexeme of the archive's vectors (terms.record_terms, after an import); a query word is
expanded with the lexemes that contain it (a pg_trgm index answers LIKE '%word%'), and the rank counts
exact hits far above compound hits. The expansion keeps the query's operators: ``budget or elbiler``
widens both words, ``budget -elbiler`` widens "budget" and still excludes "elbiler", a quoted phrase
stays a phrase.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import F, FloatField, Q, Value

from minutes.search import vocabulary

SEARCH_CONFIG = "danish"
MAX_QUERY_LENGTH = 500  # characters; longer input is cut, not refused
MAX_EXPANSIONS = 40  # compound lexemes per query word
MIN_EXPANSION_LENGTH = 4  # "vej" would drag in half the archive
EXACT_WEIGHT = 10.0

# Dashes people paste from Word and web pages (en and em dash, the minus sign, non-breaking hyphens):
# "24–003210" is the case 24-003210.
DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d]")
# 24-003210, 21-046857K, 326-2020-15086, EMN-2025-003383, typed with spaces or without zeros.
CASE_NUMBER = re.compile(
    r"(?<![\w-])(?P<prefix>[A-ZÆØÅ]{1,5}[ -])?(?P<a>\d{2,4})[ -](?P<b>\d{1,7})(?:[ -](?P<c>\d{1,7}))?"
    r"(?P<suffix>[A-ZÆØÅ])?(?![\w-])",
    re.IGNORECASE,
)
# What people write before a pasted number: "Sag 24-003210", "sagsnr. 24-003210", "Sagsnummer: …".
CASE_WORD = re.compile(r"^(?:sags?\s*(?:nr|nummer)?\.?|j\.?\s*nr\.?)\s*:?\s*", re.IGNORECASE)
# The archive's usual form (24-003210) pasted without its hyphen: 24003210.
RUN_TOGETHER = re.compile(r"(?P<a>\d{2})(?P<b>\d{6})")


def clean_query(text: str) -> str:
    """The query as searched: control characters removed, dashes made hyphens, length capped."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text or "")
    return DASHES.sub("-", text)[:MAX_QUERY_LENGTH].strip()


def case_key(number: str) -> str:
    """The key under which a case number is found however it is typed: 24-003210 -> 24-3210."""
    number = DASHES.sub("-", number)
    match = CASE_NUMBER.fullmatch(number.strip())
    if not match:
        return re.sub(r"\s+", "", number.strip().upper())
    return _key(match)


def _key(match: re.Match) -> str:
    groups = [str(int(g)) for g in (match["a"], match["b"], match["c"]) if g]
    prefix = match["prefix"][:-1].upper() + "-" if match["prefix"] else ""
    return prefix + "-".join(groups) + (match["suffix"] or "").upper()


def case_query(text: str) -> str | None:
    """The case key when the whole query is a case number ("Sag 24–003210", "24003210"), else None."""
    keys = case_query_keys(text)
    return keys[0] if keys else None


def case_query_keys(text: str) -> list[str]:
    """Every key the whole query may be a case number under, the likeliest first.

    "Sag 24-003210" is the case 24-003210 (or one numbered SAG-24-003210, which no archive has seen
    yet, but the number is checked both ways); "24003210" is 24-003210.
    """
    text = clean_query(text)
    keys = []
    for candidate in (CASE_WORD.sub("", text), text):
        if match := CASE_NUMBER.fullmatch(candidate):
            keys.append(_key(match))
        elif match := RUN_TOGETHER.fullmatch(candidate):
            keys.append(f"{int(match['a'])}-{int(match['b'])}")
    return list(dict.fromkeys(keys))


def case_keys_in(text: str) -> list[str]:
    """Keys of the case numbers typed inside a longer query."""
    return [_key(m) for m in CASE_NUMBER.finditer(DASHES.sub("-", text))]


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase of a query; ``negated`` for ``-word``."""

    words: tuple[str, ...]
    negated: bool = False
    phrase: bool = False


# The query as PostgreSQL's websearch_to_tsquery reads it: clauses that must all match, each a list
# of alternatives joined by "or".
Parsed = list[list[Term]]

TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse(text: str) -> Parsed:
    """The query's clauses, as websearch_to_tsquery groups them: ``a b or c -d`` is a & (b | c) & !d."""
    clauses: Parsed = []
    joining = False
    for match in TOKEN.finditer(text.lower()):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare == "or":
            joining = bool(clauses)
            continue
        if bare is not None:
            negated = bare.startswith("-") and len(bare) > 1
            term = Term(tuple(re.findall(r"[^\W_]+", bare)), negated)
        else:
            term = Term(tuple(re.findall(r"[^\W_]+", quoted)), bool(negated), phrase=True)
        if not term.words:
            continue
        if joining:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        joining = False
    return clauses


def expanded_query(text: str, known: dict | None = None) -> str | None:
    """A tsquery (text form, 'simple' config: lexemes as they are) adding compound lexemes.

    Each plain query word becomes (its stem | lexemes containing it), in the query's own structure
    of "or", "-" and phrases; None when there is nothing to add (stop words only, no compounds in
    the archive). ``known`` keeps the answers of one request, so facets, results and snippets ask
    the database once.
    """
    if known is None:
        return _expanded_query(text, None)
    if text not in known:
        known[text] = _expanded_query(text, known)
    return known[text]


def words_of(clauses: Parsed) -> tuple[list[str], set[str]]:
    """The query's words, and those widened to their compounds (not excluded, not in a phrase)."""
    words = sorted({word for clause in clauses for term in clause for word in term.words})
    widened = {
        word
        for clause in clauses
        for term in clause
        if not term.negated and not term.phrase
        for word in term.words
    }
    return words, widened


def _expanded_query(text: str, known: dict | None, *, always: bool = False) -> str | None:
    clauses = parse(text)
    words, widened = words_of(clauses)
    if not words:
        return None
    stems, compounds = stems_and_compounds(words, widened, known)
    if not any(compounds.values()) and not always:
        return None
    parts = []
    for clause in clauses:
        alternatives = [_term_query(term, stems, compounds) for term in clause]
        alternatives = [a for a in alternatives if a]
        if alternatives:
            parts.append("(" + " | ".join(alternatives) + ")")
    # PostgreSQL tests "a & b" left to right: the clause with the fewest alternatives first makes the
    # test of each row (walking the date index for a frequent word) fail fast.
    parts.sort(key=lambda part: (part.count("|"), part))
    return " & ".join(parts) or None


def stems_and_compounds(
    words, widened, known: dict | None = None
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each word's Danish stem (none for a stop word), and the archive's compounds of the widened ones.

    ``known`` keeps the answer per word for the rest of the request (the index query, then the
    snippets), or for a whole run of the e-mail alerts, where thousands of searches share their words.
    """
    known = {} if known is None else known
    missing = [word for word in words if ("word", word, word in widened) not in known]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT w.word, (ts_lexize('{SEARCH_CONFIG}_stem', w.word))[1],"
                " (SELECT max(added) FROM minutes_term) FROM unnest(%s::text[]) AS w(word)",
                [missing],
            )
            rows = cursor.fetchall()
        for word, stem, mark in rows:
            if stem is None:
                known[("word", word, word in widened)] = None
                continue
            widen = word in widened and len(stem) >= MIN_EXPANSION_LENGTH
            compounds = vocabulary.containing(stem, MAX_EXPANSIONS, mark) if widen else []
            known[("word", word, word in widened)] = (stem, compounds)
    stems, compounds = {}, {}
    for word in words:
        found = known[("word", word, word in widened)]
        if found is not None:
            stems[word], compounds[word] = found
    return stems, compounds


def _term_query(term: Term, stems: dict, compounds: dict) -> str | None:
    lexemes = [stems[word] for word in term.words if word in stems]
    if not lexemes:  # stop words only, as websearch_to_tsquery drops them
        return None
    if term.phrase:
        # A stop word keeps its place: "taget til efterretning" is 'tag' <2> 'efterretning'.
        placed = [(offset, stems[word]) for offset, word in enumerate(term.words) if word in stems]
        query = _quote_lexeme(placed[0][1])
        for (before, _), (offset, lexeme) in zip(placed, placed[1:], strict=False):
            query += f" <{offset - before}> " + _quote_lexeme(lexeme)
        query = "(" + query + ")"
    else:
        word = term.words[0] if len(term.words) == 1 else None
        alternatives = [lexemes[0], *compounds.get(word, [])] if word else lexemes
        joiner = " | " if word else " <-> "  # "covid-19" is a phrase of its parts, as websearch reads it
        query = "(" + joiner.join(_quote_lexeme(lexeme) for lexeme in alternatives) + ")"
    return "!" + query if term.negated else query


def _quote_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _match(text: str, known: dict | None) -> tuple[bool, str | None]:
    """What a (cleaned, non-empty) query matches: the text as websearch_to_tsquery (SEARCH_CONFIG) reads
    it or not (False), or'ed with a tsquery in the 'simple' config (None: nothing to add)."""
    # websearch_to_tsquery reads "a b or c" as (a & b) | c; this archive (and its search index) as
    # a & (b | c), so such a query is matched as parse() reads it, compounds or not.
    structured = _expanded_query(text, known, always=True) if _grouped(text) else None
    if structured:
        return False, structured
    return True, expanded_query(text, known)


def _query_and_rank(text: str, known: dict | None):
    """The tsquery of a (cleaned, non-empty) query and its rank expression.

    Expressions, not raw SQL, so that they name the right table alias inside subqueries.
    """
    exact = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    websearch, added = _match(text, known)
    if added is None:
        return exact, SearchRank(F("search_vector"), exact)
    match = SearchQuery(added, search_type="raw", config="simple")
    rank = Value(EXACT_WEIGHT) * SearchRank(F("search_vector"), exact) + SearchRank(F("search_vector"), match)
    return (exact | match if websearch else match), rank


def _grouped(text: str) -> bool:
    """Whether a query has a clause of alternatives beside another clause ("a b or c")."""
    clauses = [c for c in parse(text) if any(not t.negated for t in c)]
    return len(clauses) > 1 and any(len(c) > 1 for c in clauses)


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


def search_many(ids: list[int], texts, known: dict | None = None) -> dict[str, list[int]]:
    """For each text, the ids among ``ids`` that ``search`` finds for it (its tsquery, compounds and case
    numbers alike), all texts at once: the e-mail alerts test thousands of searches against the same few
    thousand new items, where one query per search cost a round trip and a plan each time, and testing
    every text against every item's vector (a million tests) still took seconds.

    The items are copied into a temporary table with a GIN index of their own, so that each text's
    tsquery finds its few items by the index, as a search of the archive does, but in an index of a
    few thousand items. Each tsquery is built in the statement from the same parts as ``search`` builds
    it (``_match``); the case numbers typed in a text are compared with the items' case keys.
    tests/test_search.py compares the two for every kind of query.
    """
    known = {} if known is None else known
    cleaned = {text: clean_query(text) for text in texts}
    queried = sorted({c for c in cleaned.values() if c})
    _look_up_words(queried, known)
    websearch, added, keys = [], [], []
    for text in queried:
        exact, more = _match(text, known)
        websearch.append(text if exact else None)
        added.append(more)
        keys.append(" ".join(case_keys_in(text)) or None)
    found: dict[str, list[int]] = {}
    if queried and ids:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE searched_items AS SELECT i.id, i.search_vector, c.key"
                " FROM minutes_agendaitem i LEFT JOIN minutes_case c ON c.id = i.case_id"
                " WHERE i.id = ANY(%s)",
                [list(ids)],
            )
            cursor.execute("CREATE INDEX ON searched_items USING gin (search_vector)")
            cursor.execute("ANALYZE searched_items")
            cursor.execute(
                f"""
                WITH queries AS MATERIALIZED (
                    SELECT n, string_to_array(keys, ' ') AS keys,
                           CASE WHEN added IS NULL THEN websearch_to_tsquery('{SEARCH_CONFIG}', websearch)
                                WHEN websearch IS NULL THEN to_tsquery('simple', added)
                                ELSE websearch_to_tsquery('{SEARCH_CONFIG}', websearch)
                                     || to_tsquery('simple', added) END AS match
                    FROM unnest(%s::text[], %s::text[], %s::text[])
                         WITH ORDINALITY AS q(websearch, added, keys, n)
                )
                SELECT n, array_agg(DISTINCT id ORDER BY id) FROM (
                    SELECT q.n, i.id FROM queries q JOIN searched_items i ON i.search_vector @@ q.match
                    UNION ALL
                    SELECT q.n, i.id FROM queries q JOIN searched_items i ON i.key = ANY(q.keys)
                    WHERE q.keys IS NOT NULL
                ) AS hits
                GROUP BY n
                """,
                [websearch, added, keys],
            )
            found = {queried[n - 1]: matched for n, matched in cursor.fetchall()}
            cursor.execute("DROP TABLE searched_items")
    every = sorted(ids)
    return {text: (found.get(c, []) if c else every) for text, c in cleaned.items()}


def _look_up_words(texts: list[str], known: dict) -> None:
    """The stems and compounds of every word of these queries, in one statement (stems_and_compounds)."""
    widened_anywhere, plain_anywhere = set(), set()
    for text in texts:
        words, widened = words_of(parse(text))
        widened_anywhere.update(widened)
        plain_anywhere.update(set(words) - widened)
    if widened_anywhere:
        stems_and_compounds(sorted(widened_anywhere), widened_anywhere, known)
    if plain_anywhere:
        stems_and_compounds(sorted(plain_anywhere), set(), known)


def ranked(items, text: str, known: dict | None = None):
    """These items (already known to match) annotated with the query's ``rank``."""
    text = clean_query(text)
    if not text:
        return items.annotate(rank=Value(0.0, output_field=FloatField()))
    return items.annotate(rank=_query_and_rank(text, known)[1])
