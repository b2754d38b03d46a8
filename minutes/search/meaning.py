"""What a query means when its own words are not the minutes' words (issue 16).

People type questions ("hvad skete der med FOB Kalundborg"), misspell ("flådestying"), write compounds
the minutes split ("borgmestermøder" for "møde med borgmesteren") and use other words for the same
thing ("ladestandere" for "ladeinfrastruktur"). A query is read in steps, each taken only when the one
before finds too little, so a query in the minutes' own words is searched exactly as typed:

1. a word the archive has no trace of is split into two words it has ("borgmester møder");
2. when the query finds less than a page, other words for the same thing are added from the
   SynonymGroup table (kept as data, edited in the admin, applied here at query time: no reindex);
3. when it finds nothing, a clear misspelling (a word neither the archive nor Danish knows) is
   corrected to the archive's nearest word;
4. when it still finds less than a page, the items with most of the words are added, those with all
   of them first.

Every step rewrites the parsed query (query.parse), so both engines search the same words: PostgreSQL
gets ``postgres_text`` (the site's own query syntax), the search index the clauses with ``secondary``
(added words, ranked below the typed ones) and ``relaxed`` (any clause may match; the more the better).
``ordret=1`` turns all of it off. The steps taken are listed in ``applied`` for the page and the API.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import TypeVar

from django.db import connection
from wordfreq import zipf_frequency

from minutes.search import terms
from minutes.search.query import SEARCH_CONFIG, Term, clean_query, parse, stems_and_compounds

FEW_HITS = 20  # less than one results page: worth adding other words for the same thing
MIN_SPLIT_PART = 3  # "it", "ø" are no parts of a compound worth searching
DANISH_WORD = 2.5  # wordfreq's Zipf frequency from which a word is Danish, not a misspelling
LINKING = ("s", "e")
CLOSE_ENOUGH = 0.8

T = TypeVar("T")  # "frivillighed-s-strategi", "borgmester-møde"


@dataclass(frozen=True)
class Step:
    """One thing search did beyond the typed words, as the page and the API say it."""

    kind: str  # "split", "synonyms", "corrected" or "relaxed"
    word: str = ""  # the typed word it concerns (none for "relaxed")
    words: tuple[str, ...] = ()  # what it became: parts, other words, the correction
    count: int = 0  # "relaxed": the items that have every word (they rank first)


@dataclass(frozen=True)
class Meaning:
    typed: str  # the cleaned query as typed
    clauses: tuple[tuple[Term, ...], ...]  # what is searched, in query.parse's structure
    secondary: frozenset[str] = frozenset()  # words added for the same thing: ranked below the typed
    relaxed: bool = False  # any clause may match; items matching more clauses rank first
    applied: tuple[Step, ...] = ()
    tried: frozenset[str] = field(default_factory=frozenset)  # steps already considered

    @property
    def text(self) -> str:
        """The query in the site's syntax, each clause required (the index's reading)."""
        return unparse(self.clauses)

    @property
    def postgres_text(self) -> str:
        """The query for PostgreSQL: when relaxed, every clause joined by "or"."""
        if not self.relaxed:
            return self.text
        positive = [t for clause in self.clauses for t in clause if not t.negated]
        negative = [clause for clause in self.clauses if all(t.negated for t in clause)]
        return unparse(((*positive,), *negative) if positive else tuple(negative))

    def did(self, kind: str) -> bool:
        return any(step.kind == kind for step in self.applied)


def exactly(text: str) -> Meaning:
    """The query as typed, nothing added."""
    text = clean_query(text)
    return Meaning(text, tuple(tuple(clause) for clause in parse(text)))


def first(text: str, *, verbatim: bool = False) -> Meaning:
    """The reading searched first: the typed query with its unknown compounds split."""
    meaning = exactly(text)
    if verbatim or not meaning.clauses:
        return replace(meaning, tried=frozenset({"synonyms", "corrected", "relaxed"}))
    return _split(meaning)


def next_meaning(meaning: Meaning, total: int) -> Meaning | None:
    """The reading to search next, now that ``meaning`` found ``total`` items; None to keep it."""
    if total < FEW_HITS and "synonyms" not in meaning.tried:
        widened = _with_synonyms(meaning)
        if widened.did("synonyms"):
            return widened
        meaning = widened  # nothing to add: go on to the next step with the same total
    if total == 0 and "corrected" not in meaning.tried:
        corrected = _corrected(meaning)
        if corrected.did("corrected"):
            return corrected
        meaning = corrected
    if total < FEW_HITS and "relaxed" not in meaning.tried:
        relaxed = replace(meaning, tried=meaning.tried | {"relaxed"})
        if sum(1 for clause in meaning.clauses if not all(t.negated for t in clause)) > 1:
            step = Step("relaxed", count=total)
            return replace(relaxed, relaxed=True, applied=(*meaning.applied, step))
    return None


def chosen(reading: Meaning, run: Callable[[Meaning], T], total: Callable[[T], int]) -> tuple[Meaning, T]:
    """The reading search answers with, and ``run``'s answer for it: ``reading`` first, then each next
    reading while it finds too little. A reading that finds no more than the one before is dropped
    (a correction is kept, for the next step to build on); if every one found nothing, the first."""
    answer = run(reading)
    start = (reading, answer)
    while (following := next_meaning(reading, total(answer))) is not None:
        tried = run(following)
        if total(tried) > total(answer) or following.applied[-1].kind == "corrected":
            reading, answer = following, tried
        else:
            reading = replace(reading, tried=following.tried)
    return (reading, answer) if total(answer) else start


def unparse(clauses) -> str:
    """query.parse's clauses as query text that parses back to them."""
    parts = []
    for clause in clauses:
        alternatives = []
        for term in clause:
            if term.phrase:
                written = '"' + " ".join(term.words) + '"'
            else:
                written = "-".join(term.words)  # "covid-19": a word of two parts, read as a phrase
            alternatives.append(("-" if term.negated else "") + written)
        parts.append(" or ".join(alternatives))
    return " ".join(parts)


# -- the steps ------------------------------------------------------------------------------------------


def _plain(term: Term) -> str | None:
    """The word of a plain (not quoted, not excluded) one-word term."""
    if term.phrase or term.negated or len(term.words) != 1:
        return None
    return term.words[0]


def _split(meaning: Meaning) -> Meaning:
    """Unknown compounds as two known words: a clause of one such word becomes two clauses."""
    words = [w for clause in meaning.clauses if len(clause) == 1 and (w := _plain(clause[0]))]
    words = [w for w in words if w.isalpha() and len(w) >= 2 * MIN_SPLIT_PART]
    if not words:
        return meaning
    splits = _known_splits(words)
    if not splits:
        return meaning
    clauses, steps = [], []
    for clause in meaning.clauses:
        word = _plain(clause[0]) if len(clause) == 1 else None
        if word in splits:
            clauses.extend((Term((part,)),) for part in splits[word])
            steps.append(Step("split", word, splits[word]))
        else:
            clauses.append(clause)
    return replace(meaning, clauses=tuple(clauses), applied=(*meaning.applied, *steps))


def _known_splits(words: list[str]) -> dict[str, tuple[str, str]]:
    """{word: (first, second)} for words the archive has no trace of (neither their stem nor a compound
    containing it) that split into two words whose stems it has. The longest shorter part wins."""
    candidates = {
        word: [(word[:i], word[i:]) for i in range(MIN_SPLIT_PART, len(word) - MIN_SPLIT_PART + 1)]
        for word in words
    }
    forms = set(words)
    for pairs in candidates.values():
        for first_part, second in pairs:
            forms.update((first_part, second))
            if first_part.endswith(LINKING) and len(first_part) > MIN_SPLIT_PART:
                forms.add(first_part[:-1])
    known = _known_stems(sorted(forms))
    unknown = [word for word in words if not known.get(word, True)]
    # A word inside the archive's compounds is found through them ("flåde" in "bilflåde"): not split.
    _, compounds = stems_and_compounds(unknown, set(unknown)) if unknown else ({}, {})
    splits = {}
    for word, pairs in candidates.items():
        if word not in unknown or compounds.get(word):
            continue
        best = None
        for first_part, second in pairs:
            if not known.get(second):
                continue
            # "frivilligheds|strategi": the part without its linking letter when that is a word too
            if first_part.endswith(LINKING) and known.get(first_part[:-1]):
                first_part = first_part[:-1]
            if not known.get(first_part) or len(first_part) < MIN_SPLIT_PART:
                continue
            score = (min(len(first_part), len(second)), len(first_part))
            if best is None or score > best[0]:
                best = (score, (first_part, second))
        if best:
            splits[word] = best[1]
    return splits


def _known_stems(forms: list[str]) -> dict[str, bool]:
    """{form: the archive has its stem}; stop words (no stem) are left out."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT w.form,
                   EXISTS (SELECT 1 FROM minutes_term t WHERE t.lexeme = w.stem)
            FROM (SELECT form, (ts_lexize('{SEARCH_CONFIG}_stem', form))[1] AS stem
                  FROM unnest(%s::text[]) AS form OFFSET 0) AS w
            WHERE w.stem IS NOT NULL
            """,
            [forms],
        )
        return dict(cursor.fetchall())


def _with_synonyms(meaning: Meaning) -> Meaning:
    """Each plain word (or hyphenated word) with the other words of its synonym groups as alternatives."""
    keys = {_synonym_key(t) for clause in meaning.clauses for t in clause if _synonym_key(t)}
    # The whole query may be a group's phrase ("introduktion af nye medarbejdere" for onboarding).
    whole = ""
    if len(meaning.clauses) > 1 and all(len(c) == 1 and _synonym_key(c[0]) for c in meaning.clauses):
        whole = " ".join(_synonym_key(clause[0]) for clause in meaning.clauses)
        keys.add(whole)
    found = synonyms_of(sorted(keys)) if keys else {}
    # Added to every clause, the phrase's other words are an alternative to the whole query:
    # (a | s) & (b | s) = (a & b) | s.
    for_all = [t for t in (_as_term(other) for other in found.get(whole, ())) if t is not None]
    clauses, steps, secondary = [], [], set(meaning.secondary)
    if for_all:
        steps.append(Step("synonyms", whole, found[whole]))
        secondary.update(word for t in for_all for word in t.words)
    for clause in meaning.clauses:
        alternatives = list(clause)
        for term in clause:
            others = found.get(_synonym_key(term) or "", ())
            if not others or (whole and _synonym_key(term) == whole):
                continue
            added = [_as_term(other) for other in others]
            added = [t for t in added if t is not None and t not in alternatives]
            if added:
                alternatives.extend(added)
                secondary.update(word for t in added for word in t.words)
                steps.append(Step("synonyms", _synonym_key(term), tuple(others)))
        alternatives.extend(
            t for t in for_all if t not in alternatives and not all(a.negated for a in clause)
        )
        clauses.append(tuple(alternatives))
    tried = meaning.tried | {"synonyms"}
    if not steps:
        return replace(meaning, tried=tried)
    typed = {word for clause in meaning.clauses for t in clause for word in t.words}
    return replace(
        meaning,
        clauses=tuple(clauses),
        secondary=frozenset(secondary - typed),
        applied=(*meaning.applied, *steps),
        tried=tried,
    )


def _synonym_key(term: Term) -> str | None:
    if term.phrase or term.negated:
        return None
    return "-".join(term.words)


def _as_term(text: str) -> Term | None:
    """A group's word as a query term: "0-emissionsdrift" a word of parts, "grøn omstilling" a phrase."""
    words = tuple(re.findall(r"[^\W_]+", text.lower()))
    return Term(words, phrase=" " in text.strip()) if words else None


def synonyms_of(keys: list[str]) -> dict[str, tuple[str, ...]]:
    """{query word: the other words of every synonym group with a word of the same Danish stem}."""
    with connection.cursor() as cursor:
        # Words and phrases compare as their sets of Danish stems, stop words left out: "elbiler" is
        # "elbil", "introduktion af nye medarbejdere" is "introduktion nye medarbejdere".
        # A Danish stem is a prefix of its lower-case word, so a member can have the stems of a key
        # only if it contains the first letters of one of them: only those members are stemmed (all
        # 462 of the groups' words each time took 8 ms), and then the other words of their groups.
        cursor.execute(
            f"""
            WITH q AS MATERIALIZED (
                SELECT key, {_STEMS.format(text="key")} AS stems FROM unnest(%s::text[]) AS key
            ), member AS (
                SELECT g.id, m.word, m.n
                FROM minutes_synonymgroup g, unnest(g.words) WITH ORDINALITY AS m(word, n)
            ), candidate AS MATERIALIZED (
                SELECT q.key, q.stems, member.id, member.word
                FROM q JOIN member ON cardinality(q.stems) > 0
                    AND strpos(lower(member.word), left(q.stems[1], 3)) > 0
            ), same AS (
                SELECT DISTINCT key, stems, id FROM candidate
                WHERE {_STEMS.format(text="candidate.word")} = candidate.stems
            ), other AS (
                SELECT member.id, member.word, member.n, {_STEMS.format(text="member.word")} AS stems
                FROM member WHERE member.id IN (SELECT id FROM same)
            )
            SELECT same.key, array_agg(other.word ORDER BY other.id, other.n)
            FROM same JOIN other ON other.id = same.id AND other.stems <> same.stems
            GROUP BY same.key
            """,
            [keys],
        )
        rows = cursor.fetchall()
    found = {}
    for key, words in rows:
        # One word per stem: "kurser" and "kursus" both searched would say the same twice.
        seen, kept = set(), []
        for word in words:
            normal = word.lower().strip()
            if normal and normal not in seen:
                seen.add(normal)
                kept.append(normal)
        found[key] = tuple(kept)
    return found


# The sorted set of Danish stems of a text's words (stop words have none).
_STEMS = (
    "ARRAY(SELECT DISTINCT stem FROM regexp_split_to_table(lower({text}), '[^[:alnum:]]+') AS word,"
    " LATERAL (SELECT (ts_lexize('" + SEARCH_CONFIG + "_stem', word))[1] AS stem) AS s"
    " WHERE stem IS NOT NULL ORDER BY stem)"
)


def _corrected(meaning: Meaning) -> Meaning:
    """Misspelt words (known neither to the archive nor as Danish) as the archive's nearest word."""
    tried = meaning.tried | {"corrected"}
    words = sorted(
        {
            w
            for clause in meaning.clauses
            for t in clause
            if (w := _plain(t)) and w not in meaning.secondary and w.isalpha() and len(w) >= 4
        }
    )
    known = _known_stems(words) if words else {}
    unknown = [w for w in words if not known.get(w, True) and zipf_frequency(w, "da") < DANISH_WORD]
    if not unknown:
        return replace(meaning, tried=tried)
    fixes = {
        word: fixed
        for word, fixed in zip(unknown, terms.corrected_words(unknown), strict=True)
        if fixed != word and _close(word, fixed)
    }
    if not fixes:
        return replace(meaning, tried=tried)
    clauses = tuple(
        tuple(Term((fixes[w],)) if (w := _plain(t)) in fixes else t for t in clause)
        for clause in meaning.clauses
    )
    steps = tuple(Step("corrected", word, (fixed,)) for word, fixed in fixes.items())
    corrected = replace(meaning, clauses=clauses, applied=(*meaning.applied, *steps), tried=tried)
    if "synonyms" in meaning.tried:  # the corrected words' own other words
        return _with_synonyms(replace(corrected, tried=corrected.tried - {"synonyms"}))
    return corrected


def _close(word: str, fixed: str) -> bool:
    """A correction people would accept: most of the letters in the same order (flådestying ->
    flådestyring 0.96; skete -> skole 0.6 is no correction)."""
    return SequenceMatcher(None, word, fixed).ratio() >= CLOSE_ENOUGH
