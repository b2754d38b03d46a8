"""search/hits.py (the items of a page of hits in one statement, written once) and the Jinja2 partials that
show the hits and the facets (archive_site/jinja2.py)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from minutes.models import AgendaItem, Body
from minutes.search import indexing
from minutes.search.hits import HIT_DEFERRED, hit_items

SHOWN = (
    lambda item: item.pk,
    lambda item: item.title,
    lambda item: item.decision,
    lambda item: item.decision_type,
    lambda item: item.get_decision_type_display(),
    lambda item: item.number,
    lambda item: item.closed,
    lambda item: item.meeting_date,
    lambda item: item.journal_number,
    lambda item: item.get_absolute_url(),
    lambda item: item.meeting.pk,
    lambda item: item.meeting.date,
    lambda item: item.meeting.start_time,
    lambda item: item.meeting.updated_at,
    lambda item: item.meeting.get_absolute_url(),
    lambda item: item.meeting.body.name,
    lambda item: item.meeting.body.slug,
    lambda item: item.case.number if item.case else None,
    lambda item: item.case.get_absolute_url() if item.case else None,
)


def test_hit_items_load_what_select_related_loads_in_the_order_asked(archive):
    ids = list(AgendaItem.objects.order_by("?").values_list("pk", flat=True))
    assert any(AgendaItem.objects.filter(case=None)) and any(AgendaItem.objects.exclude(case=None))
    asked = [*ids[:7], 10**12, *ids[7:]]  # an id that is gone (deleted since the index saw it)
    expected = AgendaItem.objects.select_related("meeting__body", "case").defer(*HIT_DEFERRED).in_bulk(ids)
    with CaptureQueriesContext(connection) as queries:
        items = hit_items(asked)
        shown = [[show(item) for show in SHOWN] for item in items]
    assert len(queries) == 1  # one statement, and nothing a hit shows is read afterwards
    assert [item.pk for item in items] == ids
    assert shown == [[show(expected[pk]) for show in SHOWN] for pk in ids]
    for item in items:
        assert item.get_deferred_fields() == expected[item.pk].get_deferred_fields()
        assert item.meeting.get_deferred_fields() == expected[item.pk].meeting.get_deferred_fields()
    # A field left out is read when asked for, as a deferred one is.
    assert items[0].summary == AgendaItem.objects.get(pk=items[0].pk).summary
    assert hit_items([]) == [] and hit_items([10**12]) == []


def test_the_hit_and_facet_lists_escape_the_minutes_text(archive, client):
    item = AgendaItem.objects.filter(decision_type="approved").first()
    AgendaItem.objects.filter(pk=item.pk).update(
        title='<script>alert(1)</script> "Flådestyring" & mere', decision="<b>Godkendt</b> flådestyring"
    )
    Body.objects.filter(pk=item.meeting.body_id).update(name="Teknik & <i>Miljø</i>")
    indexing.drain_all()
    html = client.get("/soeg/", {"q": "flådestyring"}, secure=True).content.decode()
    assert "<script>alert(1)</script>" not in html and "<b>Godkendt</b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;Flådestyring&#34; &amp; mere" in html
    assert "&lt;b&gt;Godkendt&lt;/b&gt; flådestyring" in html
    assert html.count("Teknik &amp; &lt;i&gt;Miljø&lt;/i&gt;") >= 2  # a hit's meeting and a facet
    assert '<span class="visually-hidden">Beslutningstype: </span>Godkendt</span>' in html
