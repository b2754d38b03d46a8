"""What search engines and browsers look for at the site root: sitemaps, robots.txt, OpenSearch.

/sitemap.xml is an index of one paginated sitemap per section. A table's sitemap is paged by id
ranges (page p holds ``limit`` consecutive ids from the smallest), not by COUNT and OFFSET, so every
page, the last of 1,000,000 items included, is one range scan of the primary key index, and the
number of pages comes from MIN(id) and MAX(id). Re-imports keep item ids (importer.py), so the ranges
stay well filled. URLs are absolute with the request's scheme and host: django.contrib.sites is
deliberately not installed.
"""

import math

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import F, Max, Min
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property

from minutes.models import AgendaItem, Body, Case, Meeting, Person

# Well under the protocol's 50,000: a page of 10,000 URLs is built and rendered in under a second.
URLS_PER_SITEMAP = 10_000


class IdRangePaginator(Paginator):
    """Pages of ``per_page`` consecutive ids of a whole table; deleted ids leave a page short."""

    @cached_property
    def _ids(self):
        # On the bare table, both are one step down the primary key index (the rows' query may
        # have joins, which MIN and MAX would scan in full).
        ids = self.object_list.model._default_manager.aggregate(first=Min("pk"), last=Max("pk"))
        return ids["first"] or 1, ids["last"] or 0

    @cached_property
    def num_pages(self):
        first, last = self._ids
        return max(1, math.ceil((last - first + 1) / self.per_page))

    def page(self, number):
        number = self.validate_number(number)
        start = self._ids[0] + (number - 1) * self.per_page
        rows = self.object_list.filter(pk__gte=start, pk__lt=start + self.per_page).order_by("pk")
        return self._get_page(rows, number, self)


class TableSitemap(Sitemap):
    """A sitemap of one table; ``items()`` returns light rows (dicts with "pk")."""

    limit = URLS_PER_SITEMAP

    @property
    def paginator(self):
        return IdRangePaginator(self.items(), self.limit)


class MeetingSitemap(TableSitemap):
    def items(self):
        return Meeting.objects.values("pk", "updated_at")

    def location(self, row):
        return reverse("minutes:meeting_detail", args=[row["pk"]])

    def lastmod(self, row):
        return row["updated_at"]

    def get_latest_lastmod(self):
        # The default would call lastmod() for every row of the table.
        return Meeting.objects.aggregate(last=Max("updated_at"))["last"]


class ItemSitemap(MeetingSitemap):
    """An item changes only with its meeting (the importer rewrites them together)."""

    def items(self):
        return AgendaItem.objects.values("pk", updated_at=F("meeting__updated_at"))

    def location(self, row):
        return reverse("minutes:item_detail", args=[row["pk"]])


class CaseSitemap(TableSitemap):
    def items(self):
        return Case.objects.values("pk", "number")

    def location(self, row):
        return reverse("minutes:case_detail", args=[row["number"]])


class PersonSitemap(TableSitemap):
    def items(self):
        return Person.objects.values("pk", "slug")

    def location(self, row):
        return reverse("minutes:person_detail", args=[row["slug"]])


class BodySitemap(TableSitemap):
    def items(self):
        return Body.objects.values("pk", "slug")

    def location(self, row):
        return reverse("minutes:body_detail", args=[row["slug"]])


class PageSitemap(Sitemap):
    """The front page, the archive and body lists, and a page per year with meetings."""

    def items(self):
        # The same one-scan grouping as the year list page (views.year_list).
        years = Meeting.objects.dates("date", "year", order="DESC")
        return [
            reverse("minutes:home"),
            reverse("minutes:year_list"),
            reverse("minutes:body_list"),
            *(reverse("minutes:year_detail", args=[day.year]) for day in years),
        ]

    def location(self, path):
        return path


# Classes, not instances: the sitemap views make one per request (Sitemap keeps per-page state).
SITEMAPS = {
    "sider": PageSitemap,
    "moeder": MeetingSitemap,
    "punkter": ItemSitemap,
    "sager": CaseSitemap,
    "personer": PersonSitemap,
    "udvalg": BodySitemap,
}


def robots_txt(request):
    context = {
        "admin_path": reverse("admin:index"),
        # Searches (and their CSV and Atom variants) are endless combinations of parameters over
        # pages that the sitemap already lists one by one.
        "search_path": reverse("minutes:search"),
        "sitemap_url": request.build_absolute_uri(reverse("minutes:sitemap_index")),
    }
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")


def opensearch(request):
    context = {
        "search_url": request.build_absolute_uri(reverse("minutes:search")),
        "feed_url": request.build_absolute_uri(reverse("minutes:search_feed")),
        "self_url": request.build_absolute_uri(reverse("minutes:opensearch")),
    }
    return render(
        request, "minutes/opensearch.xml", context, content_type="application/opensearchdescription+xml"
    )
