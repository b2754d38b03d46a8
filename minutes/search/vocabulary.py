"""The archive's vocabulary (the Term table) in this process's memory, for the compound look-up.

A query word is widened to the archive's lexemes that contain its stem ("flåde" -> "bilflåd",
"flådestyr", ...), the shortest first (query.stems_and_compounds). PostgreSQL answered that with a
trigram index and a sort, 10-20 ms for a frequent stem of the 1M archive, on every search, before the
index could start. Here the lexemes are one string, a line each, in the order the look-up wants
(length, then the lexeme, as PostgreSQL's C collation orders them), so the first lines that contain the
stem are the answer, found by str.find: under a millisecond, and a scan of all (3 MB for the 1M
archive's 133,000 lexemes) only for a stem that few lexemes contain.

It never disagrees with the table: every lexeme gets a growing number as it is added (Term.added,
migration 0014), the look-up reads max(added) with the stems, and a process whose copy has another
maximum reads the table again (after an import: 0.2 s for 133,000 lexemes). Lexemes are never deleted
but all at once (emptying the archive), which empties the maximum too.
"""

import threading

from django.db import connection

_lock = threading.Lock()
_held: tuple[str, int | None, str] | None = None  # (database, max(added), "\n" + lexemes + "\n")


def containing(stem: str, limit: int, mark: int | None) -> list[str]:
    """The ``limit`` shortest lexemes that contain ``stem`` (not the stem itself), shortest first, then
    by their order as text. ``mark`` is max(Term.added) as the caller's query read it."""
    if not stem or "\n" in stem:  # not a lexeme (and "" would be found everywhere)
        return []
    text = _text(mark)
    found: list[str] = []
    start = 0
    while len(found) < limit:
        at = text.find(stem, start)
        if at < 0:
            break
        begin = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        lexeme = text[begin:end]
        if lexeme != stem:
            found.append(lexeme)
        start = end + 1
    return found


def _text(mark: int | None) -> str:
    global _held
    database = connection.settings_dict["NAME"] + "@" + str(connection.settings_dict["HOST"])
    held = _held
    if held is not None and held[0] == database and held[1] == mark:
        return held[2]
    with _lock:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT max(added), string_agg(lexeme, E'\\n' ORDER BY length(lexeme), lexeme COLLATE \"C\")"
                " FROM minutes_term"
            )
            mark, lexemes = cursor.fetchone()
        _held = (database, mark, "\n" + (lexemes or "") + "\n")
        return _held[2]
