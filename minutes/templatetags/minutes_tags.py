"""Template filters: Danish dates from a month-name table (never the server's locale), numbers, and
search highlights (escaped first, then marked: never ``|safe`` on minutes text)."""

import datetime

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from minutes.models import DecisionType
from minutes.search.snippets import MARK_END, MARK_START, marked_html

register = template.Library()

MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


def _local_date(value):
    if isinstance(value, str):  # an ISO date, as in parsed JSON
        return datetime.date.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def da_date(value):
    """2024-04-02 -> "2. april 2024"; a datetime is shown as its local date."""
    if not value:
        return ""
    day = _local_date(value)
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


@register.filter
def da_weekday(value):
    """2024-04-02 -> "tirsdag"."""
    if not value:
        return ""
    return WEEKDAYS[_local_date(value).weekday()]


@register.filter
def basename(path):
    """The file name of a stored source path: "/data/2024/a.txt" -> "a.txt"."""
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


@register.filter
def da_number(value):
    """1234567 -> "1.234.567" (Danish thousands separator)."""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else value


@register.filter
def decision_label(value):
    """ "approved" -> "Godkendt"; an empty or unknown value gives ""."""
    return dict(DecisionType.choices).get(value, "")


@register.filter
def highlight(snippet):
    """A search snippet as HTML: its text escaped, then its marked matches in <mark>."""
    return mark_safe(marked_html(snippet or ""))  # noqa: S308 (marked_html escapes everything first)


@register.filter
def plain_marked(snippet):
    """A search snippet as plain text (a mail's text part): its marked matches between asterisks."""
    return (snippet or "").replace(MARK_START, "*").replace(MARK_END, "*")
