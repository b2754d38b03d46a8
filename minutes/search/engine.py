"""The search index: a tantivy index of every agenda item, derived from PostgreSQL and rebuilt from it.

PostgreSQL is the archive; this index is a copy made for speed (exact counts, exact facets and BM25
ranking over every hit in milliseconds, where PostgreSQL estimates from samples). It is written only by
search/indexing.py, from the change queue the database's triggers fill, and it is used only while it
provably agrees with the database (``usable``): built from this database (its identity), with no
change waiting. Otherwise search/page.py answers from PostgreSQL, exactly as before the index existed.

Layout on disk (``settings.SEARCH_INDEX_DIR``): one folder per build (``build-<time>``) and a symlink
``current`` to the one in use. A rebuild writes a new folder and swaps the symlink, so search never
goes offline; each process notices the swap at its next search.

Why tantivy (measured in issue 15, README "Search engine"): it counts and ranks every hit 4-6 times
faster than PostgreSQL's full text here, has a Danish Snowball stemmer and stop words (the same as
PostgreSQL's ``danish`` configuration), aggregations for facets, and an embedded Python binding (no
service to run).
"""

import datetime
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import tantivy
from django.conf import settings

from minutes.search import query as query_module

TOKENIZER = "danish"
# Ranking fields and their weights (PostgreSQL's ts_rank gives the vector's A, B and C/D labels 1.0,
# 0.4 and 0.2/0.1). "text" holds every searched field of the item (title, decision, summary,
# recommendation, presentation, economic consequences, case type), so matching is one posting list per
# word (facets count with MATCH_FIELDS alone); title and decision are indexed again to rank above it.
TEXT_FIELDS = {"title": 1.0, "decision": 0.4, "text": 0.15}
MATCH_FIELDS = ("text",)
# A compound hit ("bilflåde" for "flåde") counts as a constant far below an exact word's BM25 score, so
# the exact matches of a word always rank above its compound matches (query.EXACT_WEIGHT).
COMPOUND_SCORE = 0.1
# Other words for the same thing (search/meaning.py: "ladeinfrastruktur" for "ladestandere") score a
# hundredth of a typed word: below the typed word's own matches, its compounds' (COMPOUND_SCORE) mostly
# too, and still ranked among themselves.
SECONDARY_WEIGHT = 0.01
# A relaxed query (no item has every word) ranks by the number of its clauses an item matches, then by
# score: a clause matched adds this, far above any BM25 sum. Relaxed queries are ranked without the
# recency prior (search/indexed.py), which would multiply this constant.
COORDINATION_SCORE = 1000.0
RECENCY_ORIGIN = datetime.date(2000, 1, 1).toordinal()
RECENCY_DOUBLING_DAYS = 3652.5  # the prior's weight doubles every ten years
MAX_NUMBER = 2047  # item numbers in the sort keys (11 bits); a higher number sorts as 2047
NO_TIME = 2047  # a meeting without a start time sorts as PostgreSQL sorts NULL: above every time
IDENTITY_FILE = "archive-identity"
# Raised whenever the documents or the schema change: an index of another version is not used (search
# asks PostgreSQL) until rebuild_search_index has made one of this version.
VERSION = "6"
MISSING = "\x1f"  # a facet's value of an item without one (never a text of the minutes: a control character)


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=TOKENIZER, index_option="position")
    builder.add_text_field("case_key", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("day", indexed=True, fast=True)  # date.toordinal()
    builder.add_unsigned_field("year", indexed=True, fast=True)
    builder.add_unsigned_field("body", indexed=True, fast=True)
    builder.add_unsigned_field("treated", indexed=True)  # several; filters
    builder.add_unsigned_field("people", indexed=True)  # several; filters
    # What the facets count, as text: term ordinals, which tantivy counts into an array (as small
    # numbers), where it counts large numbers (hashes of the texts, index version 5) in a hash map, two
    # to three times slower; and the facets read each value's text from the answer itself.
    # The sets ("3,17,42") count the participants and treating bodies: an archive has few distinct sets
    # (3,722 sets of participants for 51,130 meetings, 175 of treating bodies, in the generated 1M
    # archive), so counting sets and adding up their members is exact and far cheaper than counting
    # the several values of every hit.
    # Every item has a value in each (MISSING when it has none): tantivy counts a column that some items
    # lack about five times slower (14.7 against 2.8 ms for 1M items, measured), as it must look up
    # which items have a value.
    builder.add_text_field("people_set", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field("treated_set", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field("decision_type", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field("case_type_key", tokenizer_name="raw", index_option="basic")  # lower case
    builder.add_text_field("case_type", tokenizer_name="raw", index_option="basic", fast=True)  # as written
    builder.add_unsigned_field("closed", indexed=True, fast=True)
    builder.add_integer_field("newest", fast=True)  # sort keys, see sort_keys()
    builder.add_integer_field("oldest", fast=True)
    builder.add_float_field("prior", fast=True)
    return builder.build()


SCHEMA = schema()


def analyzer() -> tantivy.TextAnalyzer:
    """Words as PostgreSQL's ``danish`` configuration makes them: lower case, Danish stop words out,
    the Danish Snowball stem (both use the Snowball project's stemmer and list)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("danish"))
        .filter(tantivy.Filter.stemmer("danish"))
        .build()
    )


def sort_keys(day: datetime.date, start_time: datetime.time | None, number: int) -> tuple[int, int]:
    """(newest, oldest): one integer each for the page's two date orders, so the index sorts by one
    fast field: date, then start time, then the item's number (query.SORT_ORDER's ties)."""
    minutes = NO_TIME if start_time is None else start_time.hour * 60 + start_time.minute
    number = min(number, MAX_NUMBER)
    base = (day.toordinal() << 22) | (minutes << 11)
    return base | (MAX_NUMBER - number), base | number


def id_set(ids) -> str:
    return ",".join(str(i) for i in sorted(set(ids)))


def prior(day: datetime.date) -> float:
    """The recency prior: tantivy multiplies the score by log2(2 + prior), 1.0 for an item of 2000 or
    before, 1.58 ten years later, 2.3 twenty years later."""
    return max(0.0, 2 ** ((day.toordinal() - RECENCY_ORIGIN) / RECENCY_DOUBLING_DAYS) - 1)


# -- where the index is, and opening it --------------------------------------------------------------


def root() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


def current_path() -> Path | None:
    link = root() / "current"
    try:
        return Path(os.path.realpath(link, strict=True))
    except OSError:
        return None


def create(path: Path, identity: str) -> tantivy.Index:
    """A new, empty index at ``path`` for the archive of ``identity``."""
    path.mkdir(parents=True)
    index = tantivy.Index(SCHEMA, str(path))
    index.register_tokenizer(TOKENIZER, analyzer())
    (path / IDENTITY_FILE).write_text(f"{identity}\n{VERSION}\n")
    return index


def make_current(path: Path) -> None:
    """Point ``current`` at ``path``, atomically (a rename of a new symlink over the old one)."""
    link, staged = root() / "current", root() / f".current-{os.getpid()}"
    staged.unlink(missing_ok=True)
    staged.symlink_to(path.name)
    os.replace(staged, link)


@dataclass
class Opened:
    path: Path
    index: tantivy.Index
    identity: str


_opened: dict[int, Opened] = {}  # per thread: tantivy's Index is not shared across threads here
_lock = threading.Lock()


def open_current() -> Opened | None:
    """The index ``current`` points at (opened once per process and build), or None if there is none."""
    path = current_path()
    if path is None:
        return None
    key = threading.get_ident()
    opened = _opened.get(key)
    if opened is None or opened.path != path:
        try:
            index = tantivy.Index.open(str(path))
            identity, version = (path / IDENTITY_FILE).read_text().split()
        except (OSError, ValueError):
            return None
        if version != VERSION:
            return None
        index.register_tokenizer(TOKENIZER, analyzer())
        opened = Opened(path, index, identity)
        with _lock:
            _opened[key] = opened
    return opened


def forget_opened() -> None:
    """Close this process's handles (after a fork, or when a test swaps the folder)."""
    with _lock:
        _opened.clear()


# -- queries ------------------------------------------------------------------------------------------


def _fields_query(stem: str, compounds: list[str], fields) -> tantivy.Query:
    """A word in every text field, with the field's weight; its compounds as constant, smaller scores."""
    parts = []
    for name in fields:
        weight = TEXT_FIELDS[name]
        parts.append(
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(tantivy.Query.term_query(SCHEMA, name, stem), weight),
            )
        )
        if compounds:
            parts.append(
                (
                    tantivy.Occur.Should,
                    tantivy.Query.const_score_query(
                        tantivy.Query.term_set_query(SCHEMA, name, compounds), COMPOUND_SCORE * weight
                    ),
                )
            )
    return tantivy.Query.boolean_query(parts)


def _phrase_query(stems: list[tuple[int, str]], fields) -> tantivy.Query:
    """Words at their offsets: a stop word between them ("taget til efterretning") keeps its place."""
    parts = [
        (
            tantivy.Occur.Should,
            tantivy.Query.boost_query(tantivy.Query.phrase_query(SCHEMA, name, stems), TEXT_FIELDS[name]),
        )
        for name in fields
    ]
    return tantivy.Query.boolean_query(parts)


def text_query(
    text: str,
    known: dict | None = None,
    *,
    ranked: bool = True,
    secondary: frozenset[str] = frozenset(),
    relaxed: bool = False,
    searcher=None,
) -> tantivy.Query | None:
    """The index query of a (cleaned) text query, with the meaning query.parse gives it: clauses that
    must all match, each a choice of words or phrases, ``-`` excluding, every plain word widened to
    the archive's compounds that contain it. None when only stop words are left (nothing to match).
    ``ranked=False`` gives the same hits more cheaply (no ranking fields), for counting.

    search/meaning.py's readings: words in ``secondary`` (other words for the same thing) score
    SECONDARY_WEIGHT of a typed word; ``relaxed`` lets any clause match and ranks by the clauses
    matched first (COORDINATION_SCORE each, times how rare the clause's matches are in ``searcher``'s
    index: "gps" counts more than "direktionen"), then by score."""
    fields = tuple(TEXT_FIELDS) if ranked else MATCH_FIELDS
    clauses = query_module.parse(text)
    words, widened = query_module.words_of(clauses)
    stems, compounds = query_module.stems_and_compounds(words, widened, known)
    must, must_not = [], []
    for clause in clauses:
        alternatives = []
        for term in clause:
            placed = [(offset, stems[word]) for offset, word in enumerate(term.words) if word in stems]
            placed = [(offset - placed[0][0], stem) for offset, stem in placed]
            if not placed:
                continue  # stop words only, as websearch_to_tsquery drops them
            if len(placed) > 1:  # a quoted phrase, or "covid-19" (a phrase of its parts)
                built = _phrase_query(placed, fields)
            else:
                word = term.words[0] if len(term.words) == 1 and not term.phrase else None
                built = _fields_query(placed[0][1], compounds.get(word, []) if word else [], fields)
            if ranked and secondary and set(term.words) <= secondary:
                built = tantivy.Query.boost_query(built, SECONDARY_WEIGHT)
            if term.negated:
                must_not.append(built)
            else:
                alternatives.append(built)
        if len(alternatives) == 1:
            must.append(alternatives[0])
        elif alternatives:
            must.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, a) for a in alternatives]))
    if not must and not must_not:
        return None
    if relaxed and must:  # any clause; each one matched counts far above the words' scores
        scored = (
            [tantivy.Query.const_score_query(c, COORDINATION_SCORE * _rarity(searcher, c)) for c in must]
            if ranked and searcher is not None
            else []
        )
        must = [tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in must + scored])]
    if not must:  # only exclusions: everything else
        must.append(tantivy.Query.all_query())
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, q) for q in must] + [(tantivy.Occur.MustNot, q) for q in must_not]
    )


def _rarity(searcher, clause: tantivy.Query) -> float:
    """How telling a clause is: the BM25 idf of the items it matches (compounds and other words
    included), at least a tenth (a clause every item matches still counts)."""
    total = max(searcher.num_docs, 1)
    found = searcher.search(clause, 1, count=True).count
    return max(math.log(1 + (total - found + 0.5) / (found + 0.5)), 0.1)


def case_query(keys: list[str]) -> tantivy.Query:
    return tantivy.Query.term_set_query(SCHEMA, "case_key", keys)


@dataclass(frozen=True)
class Filter:
    """One filter on an index field: as a query (scored 0: filters narrow, they don't rank), and as
    the query parser's text, which a filter aggregation takes."""

    field: str  # "fra", "til" (on "day"), or a field of the schema
    value: object

    def query(self) -> tantivy.Query:
        return tantivy.Query.const_score_query(_filter(self.field, self.value), 0.0)

    def text(self) -> str:
        if self.field == "fra":
            return f"day:>={self.value.toordinal()}"
        if self.field == "til":
            return f"day:<={self.value.toordinal()}"
        if self.field in ("year", "body", "treated", "closed"):
            return f"{self.field}:{int(self.value)}"
        if self.field == "people":
            return f"people: IN [{' '.join(str(int(v)) for v in self.value) or '0'}]"
        if self.field == "decision_type":
            return f"decision_type: IN [{' '.join(_quoted(v) for v in self.value) or _quoted('')}]"
        if self.field == "case_key":
            return f"case_key:{_quoted(self.value)}"
        if self.field == "case_type_key":
            return f"case_type_key:{_quoted(self.value.lower())}"
        raise ValueError(f"unknown filter {self.field}")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _filter(name: str, value) -> tantivy.Query:
    if name == "fra":
        return tantivy.Query.range_query(SCHEMA, "day", tantivy.FieldType.Integer, value.toordinal(), None)
    if name == "til":
        return tantivy.Query.range_query(SCHEMA, "day", tantivy.FieldType.Integer, None, value.toordinal())
    if name in ("year", "body", "treated", "closed"):
        return tantivy.Query.term_query(SCHEMA, name, value)
    if name in ("people", "decision_type"):
        return tantivy.Query.term_set_query(SCHEMA, name, list(value) or [0 if name == "people" else ""])
    if name == "case_key":
        return tantivy.Query.term_query(SCHEMA, "case_key", value)
    if name == "case_type_key":
        return tantivy.Query.term_query(SCHEMA, "case_type_key", value.lower())
    raise ValueError(f"unknown filter {name}")


def combined(parts: list[tantivy.Query]) -> tantivy.Query:
    if not parts:
        return tantivy.Query.all_query()
    if len(parts) == 1:
        return parts[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, part) for part in parts])


def ids_of(searcher, hits) -> list[int]:
    return searcher.fast_field_values("id", [address for _, address in hits])
