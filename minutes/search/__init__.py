"""Every piece of search knowledge, in one package.

query.py    what a query means: configuration, case numbers, operators and Danish compounds
terms.py    the archive's vocabulary: compound terms, spelling and name suggestions
filters.py  the filter set, reading the values people type (names, surnames, any case)
facets.py   counting hits per facet, exactly or from a sample
snippets.py highlighted snippets of the page shown
page.py     search_page(params): the one entry point the page, the CSV, the feed and the API share,
            returning plain dataclasses, so the engine underneath can change without them

This module only re-exports the names the write side (importer, admin) uses; it imports no model,
since models.py reads SEARCH_CONFIG from query.py.
"""

from minutes.search.query import (
    MAX_QUERY_LENGTH,
    SEARCH_CONFIG,
    case_key,
    case_keys_in,
    case_query,
    clean_query,
    expanded_query,
    ranked,
    search,
    search_many,
)
from minutes.search.terms import record_pending_terms, record_terms, suggestions, surface_word

__all__ = [
    "MAX_QUERY_LENGTH",
    "SEARCH_CONFIG",
    "case_key",
    "case_keys_in",
    "case_query",
    "clean_query",
    "expanded_query",
    "ranked",
    "record_pending_terms",
    "record_terms",
    "search",
    "search_many",
    "suggestions",
    "surface_word",
]
