"""The archive's one slug function: how a body's or a person's name becomes its URL slug.

The importer names new rows with it and the search reads typed names with it, so a name typed as shown
("Økonomiudvalget") finds the slug the importer gave it ("oekonomiudvalget").
"""

from django.utils.text import slugify

# Danish letters are transliterated, not dropped: slugify alone would make "Økonomiudvalget" "konomiudvalget".
DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def slug_for(name: str) -> str:
    """A URL slug that keeps Danish letters readable: Økonomiudvalget -> oekonomiudvalget."""
    return slugify(name.translate(DANISH_LETTERS))[:190] or "x"
