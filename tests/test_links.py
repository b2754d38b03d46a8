"""links.page_path is reverse(), faster: the same path for every page of one object."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from minutes import links

VALUES = [
    ("minutes:item_detail", 7),
    ("minutes:meeting_detail", 123456),
    ("minutes:case_detail", "24-003210"),
    ("minutes:case_detail", "326-2020-15086"),
    ("minutes:case_detail", "21-046857K"),
    ("minutes:case_detail", "sag med mellemrum/og skråstreg æøå"),  # reversed the slow way: quoted
    ("minutes:person_detail", "jens-gravesen"),
    ("minutes:body_detail", "oekonomiudvalget"),
]


@pytest.mark.parametrize("name, value", VALUES)
def test_the_path_is_reverses(name, value):
    try:
        expected = reverse(name, args=[value])
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            links.page_path(name, value)
        return
    assert links.page_path(name, value) == expected
    assert links.page_path(name, value) == expected  # and again, from what it kept


def test_a_script_prefix_is_kept():
    try:
        set_script_prefix("/arkiv/")
        assert links.page_path("minutes:item_detail", 42) == "/arkiv/punkt/42/"
    finally:
        set_script_prefix("/")
    assert links.page_path("minutes:item_detail", 42) == "/punkt/42/"


def test_another_urlconf_is_followed():
    assert links.page_path("minutes:item_detail", 42) == "/punkt/42/"
    with override_settings(ROOT_URLCONF="tests.urls_elsewhere"):
        assert links.page_path("minutes:item_detail", 42) == "/et-andet-sted/punkt/42/"
    assert links.page_path("minutes:item_detail", 42) == "/punkt/42/"
