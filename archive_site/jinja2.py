"""The Jinja2 environment of the few partials rendered on every search (templates/jinja2/).

The results page is Django templates like every other page, but its two long lists, the 20 hits and
the ~70 facet links, are rendered by Jinja2: it compiles a template to Python, where Django's engine
resolves each variable by trying a dict key, an attribute and a list index in turn. Measured on the
1M archive: the hits 3.5-4.9 ms in Django's engine, 0.8-2.0 ms here (README "Benchmarks"). The filters
are the same functions the Django templates use, so both render the same text.
"""

from django.template.defaultfilters import truncatewords
from jinja2 import Environment, StrictUndefined

from minutes.templatetags.minutes_tags import da_date, da_number, highlight


def environment(**options) -> Environment:
    # A missing variable is an error here (Django's engine renders it as ""): the partials are small
    # and every name in them is given.
    env = Environment(**{**options, "undefined": StrictUndefined})
    env.filters.update(da_date=da_date, da_number=da_number, highlight=highlight, truncatewords=truncatewords)
    return env
