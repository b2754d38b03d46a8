"""Repair damaged text before the parser reads its structure.

Pure Python (no Django), used only by parser.py. Two kinds of damage are seen in
real referater:

* Mojibake: UTF-8 bytes read as Windows-1252. Where the bytes survived intact
  (``MÃ¸dedato``) ftfy reverses it exactly. Where the second byte was lost in a
  later conversion (``MÃ,dedato`` and ``HolbÃ,kvej`` in the 2020 seed) the letter
  could have been æ, ø or å; the candidate spellings are scored against the
  words of the document itself, of the rest of the archive (``vocabulary``) and a
  Danish word list (wordfreq), whole words first, then as two-part compounds.
* Conversion debris: lone ``Å`` / ``År`` lines and ``År`` glued before labels or
  headings, left by a PDF converter that turned check-box glyphs into letters.
"""

import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping

import ftfy

# A lead byte of a two-byte UTF-8 sequence shown as "Ã", followed by the
# character its lost continuation byte became ("," for the cedilla "¸", "?",
# or the replacement character).
LOSSY_MOJIBAKE = re.compile(r"Ã[,¸?\ufffd]")
# Any sequence that suggests UTF-8 read as cp1252 (or latin-1).
MOJIBAKE_HINT = re.compile(r"[ÃÂ][^\sA-Za-z0-9]|â€")
# A whole whitespace-delimited token with such a sequence in it (a hint never
# contains whitespace, so it lies inside one token). The lookbehind lets a match
# start only where a token starts, which keeps the search linear in the text.
HINTED_TOKEN = re.compile(rf"(?<!\S)\S*?(?:{MOJIBAKE_HINT.pattern})\S*")


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)  # the five bytes cp1252 leaves undefined read as latin-1


# A UTF-8 continuation byte (0x80-0xBF) as Windows-1252 shows it, and the lead
# bytes of Danish letters (Ã: æøåéÆØÅ…), of no-break space and ° (Â), and of
# dashes and quotes (â).
_CONTINUATION = {_cp1252_char(b): b for b in range(0x80, 0xC0)}
_CONT_CLASS = "[" + "".join(re.escape(c) for c in _CONTINUATION) + "]"
INTACT_MOJIBAKE = re.compile(f"[ÃÂ]{_CONT_CLASS}|â{_CONT_CLASS}{{2}}")


def _redecode(match: re.Match) -> str:
    run = match.group(0)
    raw = bytes([ord(run[0])] + [_CONTINUATION[c] for c in run[1:]])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return run


# Starting only where a word starts (the lookbehind) finds the same words, in
# linear rather than quadratic time.
DAMAGED_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]*(?:Ã[,¸?\ufffd][^\W\d_]*)+")
WORD = re.compile(r"[^\W\d_]+")
CANDIDATES = ("ø", "æ", "å")  # ties go to ø, the most frequent of the three
MAX_DAMAGED_LETTERS = 4

LONE_DEBRIS = re.compile(r"^\s*År?\s*$")
DEBRIS_BEFORE_LABEL = re.compile(r"\s+År(?=\s+(?:J\.?\s?nr|Dokumentnr|Sagsnr|Sagstype)\b)")
# "År Budgetopfølgning pr. ..." at the start of a heading line (003 seed). A real
# sentence opening with "År" is followed by a number or a lower-case word.
DEBRIS_BEFORE_CAPITAL = re.compile(r"^(\s*(?:\d+\.\s+)?)År\s+(?=[A-ZÆØÅ][a-zæøå])")


def words(text: str) -> Counter:
    """Lower-cased word counts of a text, skipping words that are still damaged."""
    return Counter(w.lower() for w in WORD.findall(text) if "Ã" not in w)


def vocabulary_from_files(paths) -> Counter:
    """Word counts of other referater (the bundled samples), to repair damaged letters."""
    counts: Counter = Counter()
    for path in paths:
        counts.update(words(path.read_text(encoding="utf-8", errors="replace")))
    return counts


def fix_mojibake(text: str, vocabulary: Mapping[str, int] | None = None) -> tuple[str, list[str]]:
    """Return the repaired text and a human-readable note per repaired word."""
    notes: list[str] = []
    if _may_be_mojibake(text) and MOJIBAKE_HINT.search(text):
        # Word by word: a line may mix intact letters with damaged ones.
        def fix_token(match: re.Match) -> str:
            token = match.group(0)
            fixed = ftfy.fix_encoding(token)
            if fixed != token:
                notes.append(f"tegnkodning repareret: {token!r} -> {fixed!r}")
            return fixed

        text = HINTED_TOKEN.sub(fix_token, text)
        # What ftfy's caution leaves ("RÃ¥dhuset", a no-break space as "Â\xa0"), byte-exact.
        text, count = INTACT_MOJIBAKE.subn(_redecode, text)
        if count:
            notes.append(f"tegnkodning repareret: {count} tegn læst som Windows-1252")
    if not LOSSY_MOJIBAKE.search(text):
        return text, notes

    scorer = _WordScorer(text, vocabulary or {})
    repairs: dict[str, str] = {}

    def repair(match: re.Match) -> str:
        damaged = match.group(0)
        if damaged not in repairs:
            repairs[damaged] = scorer.best_spelling(
                damaged, at_line_start=_at_line_start(text, match.start())
            )
            notes.append(f"ødelagt bogstav gættet: {damaged!r} -> {repairs[damaged]!r}")
        return repairs[damaged]

    return DAMAGED_WORD.sub(repair, text), notes


def _may_be_mojibake(text: str) -> bool:
    """False when MOJIBAKE_HINT cannot match. Substring tests are hundreds of times
    faster than the regex search, which tries its alternation at every position."""
    return "Ã" in text or "Â" in text or "â€" in text


def _at_line_start(text: str, pos: int) -> bool:
    before = text[max(0, pos - 4) : pos]
    return pos == 0 or before.endswith("\n") or bool(re.search(r"(\n|\*\*|[.:!?] )\s*$", before))


class _WordScorer:
    def __init__(self, text: str, vocabulary: Mapping[str, int]):
        self.cased = Counter(w for w in WORD.findall(text) if "Ã" not in w)
        self.document: Counter = Counter()  # words(text), without a second pass over the text
        for word, count in self.cased.items():
            self.document[word.lower()] += count
        self.vocabulary = vocabulary
        # Stems of the document's words: "drøftes" is unknown to the word list, but
        # the document says "drøftet" and "drøftelse".
        self.prefixes = {w[:k] for w in self.document for k in range(4, len(w) + 1)}

    def known(self, word: str) -> float:
        """How sure we are that ``word`` (lower case) is a Danish word; 0 if unknown."""
        from wordfreq import zipf_frequency

        score = 2.0 * math.log1p(self.document.get(word, 0)) + math.log1p(self.vocabulary.get(word, 0))
        return score + zipf_frequency(word, "da")

    def score(self, word: str) -> float:
        whole = self.known(word)
        if whole > 0:
            return 10.0 + whole
        best = 0.0
        for k in range(len(word) - 1, 3, -1):
            if word[:k] in self.prefixes:
                best = k / len(word)  # below any known word or compound
                break
        for i in range(3, len(word) - 2):
            head, tail = word[:i], word[i:]
            heads = [head] + ([head[:-1]] if head[-1] in "se" and len(head) > 3 else [])
            head_score = max(self.known(h) for h in heads)
            if head_score > 0:
                tail_score = self.known(tail)
                if tail_score > 0:
                    best = max(best, 1.0 + min(head_score, tail_score))
        return best

    def best_spelling(self, damaged: str, *, at_line_start: bool) -> str:
        parts = LOSSY_MOJIBAKE.split(damaged)
        if len(parts) - 1 > MAX_DAMAGED_LETTERS:
            choices = [("ø",) * (len(parts) - 1)]
        else:
            choices = list(itertools.product(CANDIDATES, repeat=len(parts) - 1))
        spelled = ["".join(p + c for p, c in zip(parts, choice + ("",), strict=True)) for choice in choices]
        # The first choice (all ø) wins ties: it is the most frequent of the three in Danish.
        best = max(spelled, key=lambda w: self.score(w.lower()))
        if best[0] in "æøå" and (at_line_start or self._mostly_capitalised(best.lower())):
            best = best[0].upper() + best[1:]
        return best

    def _mostly_capitalised(self, word: str) -> bool:
        """True for names such as Økonomiudvalget, written capitalised in the document."""
        return self.cased.get(word.capitalize(), 0) > self.cased.get(word, 0)


def drop_debris(line: str) -> str | None:
    """The line without converter debris; None when the whole line is debris."""
    if "Å" not in line:
        return line
    if LONE_DEBRIS.match(line):
        return None
    line = DEBRIS_BEFORE_LABEL.sub("", line)
    return DEBRIS_BEFORE_CAPITAL.sub(r"\1", line)
