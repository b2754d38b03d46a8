"""Full-text search knowledge: the text search configuration the vector and queries share.

The stored vector on AgendaItem is built with SEARCH_CONFIG; every query against
it must name the same configuration (a bare string would use the server default).
"""

SEARCH_CONFIG = "danish"
