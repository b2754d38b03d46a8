"""Atom feeds (Django's syndication framework) to follow the archive without an account.

One feed for any search URL (its query and filters; newest first, whatever the page's sort), one
per case, one per body and one for the whole archive. Each entry is an agenda item with its
decision and a link to its page; a saved search is simply its URL.

Referat text is untrusted: entries reach feed readers as text (``type="text"``, Atom's default for
titles), never as HTML, so ``<img src=x onerror=...>`` in a decision is shown, not run. Control
characters, which XML 1.0 cannot hold, are dropped from every text of a feed.
"""

import datetime
import io
import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from minutes import followed
from minutes.bad_requests import refuse
from minutes.models import AgendaItem, Body, Case, DecisionType
from minutes.search import query
from minutes.search.page import item_query

ENTRIES = 50
NEWEST_FIRST = ("-meeting_date", "-meeting__start_time", "-number")
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    """Text as XML 1.0 can hold it (Django's XML writer refuses control characters with an error)."""
    return NOT_IN_XML.sub("", value) if isinstance(value, str) else value


class TextAtom1Feed(Atom1Feed):
    """Atom whose entry summaries are plain text (type="text"), not HTML as Django writes them.

    The feed names the site's own XSLT stylesheet (views.feed_stylesheet, same origin as the CSP
    wants), so a person who opens it in a browser reads a Danish page explaining how to follow it,
    while feed readers read the Atom as before.
    """

    def write(self, outfile, encoding):
        buffer = io.StringIO()
        super().write(buffer, encoding)
        text = buffer.getvalue()
        declaration_end = text.index("?>") + 2 if text.startswith("<?xml") else 0
        stylesheet = f'<?xml-stylesheet type="text/xsl" href="{reverse("minutes:feed_stylesheet")}"?>'
        outfile.write(text[:declaration_end] + stylesheet + text[declaration_end:])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = {name: xml_text(value) for name, value in self.feed.items()}

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = {name: xml_text(value) for name, value in self.items[-1].items()}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class ItemFeed(Feed):
    feed_type = TextAtom1Feed
    author_name = "Referatarkivet"

    def items(self, obj):
        return self.items_of(obj).select_related("meeting__body", "case").order_by(*NEWEST_FIRST)[:ENTRIES]

    def item_title(self, item):
        return f"{item.meeting.body.name} {item.meeting_date:%d.%m.%Y}, punkt {item.number}: {item.title}"

    def item_description(self, item):
        if item.closed and not item.decision:
            return "Lukket punkt."
        label = dict(DecisionType.choices).get(item.decision_type)
        decision = item.decision or "Ingen beslutning i referatet."
        case = f" Sagsnr. {item.case.number}." if item.case else ""
        return f"{label}: {decision}{case}" if label else decision + case

    def item_link(self, item):
        return reverse("minutes:item_detail", args=[item.pk])

    def item_pubdate(self, item):
        moment = datetime.datetime.combine(item.meeting_date, item.meeting.start_time or datetime.time(12))
        return timezone.make_aware(moment)

    def item_updateddate(self, item):
        return item.meeting.updated_at


class ArchiveFeed(ItemFeed):
    title = "Referatarkivet: nye punkter"
    description = "De nyeste punkter fra alle udvalg."

    def link(self):
        return reverse("minutes:home")

    def items_of(self, obj):
        return AgendaItem.objects.all()


class SearchFeed(ItemFeed):
    def __call__(self, request, *args, **kwargs):
        # An ignored filter would silently widen what a reader follows: refuse it, as the CSV does.
        problems = item_query(request.GET).problems
        if problems:
            return refuse(request, problems)
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request):
        return request.GET.copy()

    def title(self, params):
        return f"Referatarkivet: {followed.search(params)[0].what}"

    def description(self, params):
        return "De nyeste punkter, der svarer til søgningen."

    def link(self, params):
        params = params.copy()
        params.pop("side", None)
        return reverse("minutes:search") + (f"?{params.urlencode()}" if params else "")

    def feed_url(self, params):
        """The feed's own URL (rel="self"), its query included: the default is the bare path."""
        return reverse("minutes:search_feed") + (f"?{params.urlencode()}" if params else "")

    def items_of(self, params):
        return item_query(params).items


class CaseFeed(ItemFeed):
    def get_object(self, request, number):
        return get_object_or_404(Case, key=query.case_key(number))

    def title(self, case):
        return f"Referatarkivet: {followed.case(case).what}"

    def description(self, case):
        return f"Hver gang sag {case.number} er på et møde."

    def link(self, case):
        return reverse("minutes:case_detail", args=[case.number])

    def items_of(self, case):
        return case.items.all()


class BodyFeed(ItemFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Body, slug=slug)

    def title(self, body):
        return f"Referatarkivet: {followed.body(body).what}"

    def description(self, body):
        return f"De nyeste punkter fra {body.name}s møder."

    def link(self, body):
        return reverse("minutes:body_detail", args=[body.slug])

    def items_of(self, body):
        return AgendaItem.objects.filter(meeting_body=body)
