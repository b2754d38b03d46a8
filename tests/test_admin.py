"""The admin: every page answers, search and the date hierarchy find the right rows, corrections are
marked, and the number of queries of a changelist does not grow with the archive."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minutes import admin as archive_admin
from minutes import search
from minutes.models import AgendaItem, Body, Case, Meeting, MeetingVersion, Person

CHANGELISTS = ["meeting", "agendaitem", "case", "person", "body"]
MODELS = {"meeting": Meeting, "agendaitem": AgendaItem, "case": Case, "person": Person, "body": Body}
# Session, user, the page's own queries (count or estimate, rows, per-page extras), date hierarchy, filters.
MAX_CHANGELIST_QUERIES = 12


def changelist(name):
    return f"/admin/minutes/{name}/"


def change_page(obj):
    return f"/admin/minutes/{obj._meta.model_name}/{obj.pk}/change/"


def results(response):
    return list(response.context["cl"].result_list)


def post_data(response) -> dict:
    """The change form of a GET response as the browser would post it back unchanged."""
    data = {}

    def add(form):
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
            if field.field.show_hidden_initial:  # fields with a callable default, as rendered
                data[field.html_initial_name] = data[field.html_name]

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


@pytest.mark.parametrize("name", CHANGELISTS)
def test_every_changelist_and_change_page_answers(admin_client, archive, name):
    response = admin_client.get(changelist(name))
    assert response.status_code == 200
    shown = results(response)
    assert shown, f"the {name} changelist shows no rows"
    assert response.context["cl"].result_count == MODELS[name].objects.count()

    page = admin_client.get(change_page(shown[0]))
    assert page.status_code == 200
    assert page.context["original"] == shown[0]


def test_site_header_is_danish(admin_client, archive):
    response = admin_client.get("/admin/")
    assert "Referatarkivet – administration" in response.content.decode()


def test_meeting_change_page_shows_its_items_inline(admin_client, archive):
    meeting = Meeting.objects.get(date=datetime.date(2024, 4, 2))
    response = admin_client.get(change_page(meeting))
    item_formsets = [
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is AgendaItem
    ]
    assert len(item_formsets) == 1
    shown = [form.instance for form in item_formsets[0].forms]
    assert shown == list(meeting.items.order_by("number"))
    assert "Flådestyring af Kalundborg Kommunes bilflåde" in response.content.decode()
    assert "Kildetekst" in response.content.decode()  # the provenance, read only
    assert 'name="raw_text"' not in response.content.decode()


def test_meeting_changelist_shows_item_counts(admin_client, archive):
    response = admin_client.get(changelist("meeting"))
    for meeting in results(response):
        assert meeting.item_count == meeting.items.count()


def test_item_search_uses_the_full_text_index(admin_client, archive):
    response = admin_client.get(changelist("agendaitem"), {"q": "flådestyring"})
    assert response.status_code == 200
    titles = [item.title for item in results(response)]
    assert "Flådestyring af Kalundborg Kommunes bilflåde - faseskift til beslutningsfase" in titles
    assert "Eventuelt" not in titles
    assert 0 < len(titles) < AgendaItem.objects.count()


def test_item_search_by_case_number_as_typed(admin_client, archive):
    response = admin_client.get(changelist("agendaitem"), {"q": "24-3210"})
    items = results(response)
    assert items and {item.case.number for item in items} == {"24-003210"}
    assert items[0].title.startswith("Fælles årsrapportering på kontrolgruppens arbejde")


def test_case_search_finds_the_number_however_it_is_typed(admin_client, archive):
    for typed in ("24-3210", "24-003210", "24 003210"):
        response = admin_client.get(changelist("case"), {"q": typed})
        assert [case.number for case in results(response)] == ["24-003210"], typed
    assert results(admin_client.get(changelist("case"), {"q": "99-1"})) == []


def test_case_change_page_lists_its_items(admin_client, archive):
    case = Case.objects.get(number="24-003210")
    response = admin_client.get(change_page(case))
    inline = response.context["inline_admin_formsets"][0].formset
    assert [form.instance for form in inline.forms] == list(case.items.all())
    assert f"/admin/minutes/agendaitem/?case__id__exact={case.pk}" in response.content.decode()
    linked = admin_client.get(changelist("agendaitem"), {"case__id__exact": case.pk})
    assert results(linked) == list(case.items.all())


def test_meeting_search_by_date_and_body(admin_client, archive):
    response = admin_client.get(changelist("meeting"), {"q": "02-04-2024"})
    assert [m.date for m in results(response)] == [datetime.date(2024, 4, 2)]
    response = admin_client.get(changelist("meeting"), {"q": "direktionen"})
    assert len(results(response)) == Meeting.objects.filter(body__name__icontains="direktionen").count() > 0


def test_date_hierarchy_drills_down(admin_client, archive):
    response = admin_client.get(changelist("meeting"))
    html = response.content.decode()
    for year in (2019, 2020, 2024):
        assert f"?date__year={year}" in html

    response = admin_client.get(changelist("meeting"), {"date__year": 2024})
    assert {m.date.year for m in results(response)} == {2024}
    assert len(results(response)) == Meeting.objects.filter(date__year=2024).count()
    assert "date__month=4" in response.content.decode() and "date__month=10" in response.content.decode()

    response = admin_client.get(
        changelist("agendaitem"), {"meeting_date__year": 2024, "meeting_date__month": 4}
    )
    items = results(response)
    assert items and {i.meeting_date for i in items} == {datetime.date(2024, 4, 2)}
    assert "meeting_date__day=2" in response.content.decode()


@pytest.mark.parametrize("probe_above", [archive_admin.PROBE_ABOVE_ROWS, 0])
@pytest.mark.parametrize("kind", ["year", "month", "day"])
def test_indexed_dates_agree_with_django(generated_archive, monkeypatch, kind, probe_above):
    # With the threshold at 0 the filtered querysets are probed too, not only the whole table.
    monkeypatch.setattr(archive_admin, "PROBE_ABOVE_ROWS", probe_above)
    items = archive_admin.IndexedDatesQuerySet(AgendaItem)
    body = Body.objects.order_by("pk").first()
    searched = search.search(items, "budget")
    for queryset in (items, items.filter(meeting_body=body), items.filter(closed=True), searched):
        for order in ("ASC", "DESC"):
            expected = list(QuerySet.dates(queryset, "meeting_date", kind, order))
            assert expected and queryset.dates("meeting_date", kind, order) == expected
    assert items.none().dates("meeting_date", kind) == []
    meetings = archive_admin.IndexedDatesQuerySet(Meeting).filter(body__name=body.name)  # with a join
    assert meetings.dates("date", kind) == list(QuerySet.dates(meetings, "date", kind))


def test_unfiltered_dates_probe_the_index(generated_archive):
    items = archive_admin.IndexedDatesQuerySet(AgendaItem)
    with CaptureQueriesContext(connection) as queries:
        years = items.dates("meeting_date", "year")
    assert len(queries) == 1 and "WITH RECURSIVE" in queries[0]["sql"] and "DISTINCT" not in queries[0]["sql"]
    assert years == list(QuerySet.dates(items, "meeting_date", "year"))


def test_last_pages_are_read_from_the_end(generated_archive):
    items = AgendaItem.objects.order_by("-meeting_date", "-meeting_id", "number")
    everything = list(items)
    paginator = archive_admin.EstimatedCountPaginator(items, 100, orphans=5)
    assert paginator.num_pages > 2
    pages = [row for number in paginator.page_range for row in paginator.page(number).object_list]
    assert pages == everything
    with CaptureQueriesContext(connection) as queries:
        last = paginator.page(paginator.num_pages)
    assert list(last.object_list) == everything[(paginator.num_pages - 1) * 100 :]
    assert "OFFSET" not in queries[0]["sql"]  # the oldest rows, read from the start of the index


def test_filters_and_links_of_bodies_and_people(admin_client, archive):
    body = Body.objects.get(name="Direktionen")
    response = admin_client.get(
        changelist("agendaitem"), {"meeting_body__id__exact": body.pk, "closed__exact": 1}
    )
    assert results(response) and all(i.closed and i.meeting_body_id == body.pk for i in results(response))

    person = Person.objects.order_by("name").first()
    page = admin_client.get(change_page(person)).content.decode()
    assert f"participants__id__exact={person.pk}" in page
    response = admin_client.get(changelist("meeting"), {"participants__id__exact": person.pk})
    assert set(results(response)) == set(person.meetings.all())


def test_non_staff_users_are_sent_to_the_login(client, archive):
    user = get_user_model().objects.create_user("reader", password="x")
    client.force_login(user)
    for name in CHANGELISTS:
        response = client.get(changelist(name))
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), name


def test_no_adding_meetings_and_no_bulk_actions(admin_client, archive):
    assert admin_client.get("/admin/minutes/meeting/add/").status_code == 403
    response = admin_client.get(changelist("agendaitem"))
    assert response.context["action_form"] is None


def test_editing_a_meeting_moves_its_items_and_marks_it(admin_client, archive):
    meeting = Meeting.objects.get(date=datetime.date(2024, 4, 2))
    first = meeting.items.order_by("number").first()
    data = post_data(admin_client.get(change_page(meeting)))
    data["date"] = "2024-04-03"
    data["items-0-title"] = "Rettet i hånden"
    added = int(data["items-TOTAL_FORMS"])  # a new item, added in the inline
    data.update(
        {"items-TOTAL_FORMS": added + 1, f"items-{added}-number": 99, f"items-{added}-title": "Nyt punkt"}
    )
    response = admin_client.post(change_page(meeting), data)
    assert response.status_code == 302, response.context and response.context["errors"]

    meeting.refresh_from_db()
    assert meeting.date == datetime.date(2024, 4, 3) and meeting.hand_edited_at
    assert set(meeting.items.values_list("meeting_date", flat=True)) == {datetime.date(2024, 4, 3)}
    first.refresh_from_db()
    assert first.title == "Rettet i hånden"
    new = meeting.items.get(number=99)
    assert (new.title, new.meeting_date, new.meeting_body_id) == ("Nyt punkt", meeting.date, meeting.body_id)
    assert AgendaItem.objects.filter(
        pk=first.pk, search_vector=SearchQuery("rettet", config="danish")
    ).exists()


def test_an_unchanged_save_is_no_hand_edit(admin_client, archive):
    meeting = Meeting.objects.get(date=datetime.date(2024, 4, 2))
    response = admin_client.post(change_page(meeting), post_data(admin_client.get(change_page(meeting))))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.hand_edited_at is None


def test_editing_an_item_marks_its_meeting(admin_client, archive):
    item = AgendaItem.objects.get(title__startswith="Flådestyring")
    data = post_data(admin_client.get(change_page(item)))
    data["decision"] = "Godkendt med en rettelse."
    data["decision_type"] = "approved"
    response = admin_client.post(change_page(item), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    item.refresh_from_db()
    assert item.decision == "Godkendt med en rettelse." and item.meeting.hand_edited_at


def test_adding_an_item_copies_its_meetings_date_and_body(admin_client, archive):
    meeting = Meeting.objects.get(date=datetime.date(2024, 4, 2))
    data = {"meeting": meeting.pk, "number": 42, "title": "Tilføjet i hånden", "decision_type": ""}
    for prefix in ("treatments", "attachments", "other_decisions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post("/admin/minutes/agendaitem/add/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    item = AgendaItem.objects.get(title="Tilføjet i hånden")
    assert (item.meeting_date, item.meeting_body_id) == (meeting.date, meeting.body_id)
    meeting.refresh_from_db()
    assert meeting.hand_edited_at


def test_earlier_versions_are_shown_read_only(admin_client, archive):
    meeting = Meeting.objects.get(date=datetime.date(2024, 4, 2))
    now = timezone.now()
    version = MeetingVersion.objects.create(
        meeting=meeting,
        content={"items": [{"number": 1, "title": "Den gamle titel"}]},
        raw_text="gammel tekst",
        source_name="gammel.txt",
        source_sha256="0" * 64,
        imported_at=now,
        replaced_at=now,
    )
    page = admin_client.get(change_page(meeting)).content.decode()
    assert "gammel.txt" in page and f"/admin/minutes/meetingversion/{version.pk}/change/" in page
    response = admin_client.get(f"/admin/minutes/meetingversion/{version.pk}/change/")
    assert response.status_code == 200 and "Den gamle titel" in response.content.decode()
    assert admin_client.post(f"/admin/minutes/meetingversion/{version.pk}/delete/").status_code == 403


def test_new_people_get_the_importers_slug(admin_client, db):
    response = admin_client.post("/admin/minutes/person/add/", {"name": "Søren Østergård"})
    assert response.status_code == 302
    assert Person.objects.get(name="Søren Østergård").slug == "soeren-oestergaard"


def test_cases_get_their_key(admin_client, db):
    assert admin_client.post("/admin/minutes/case/add/", {"number": "24-000077"}).status_code == 302
    assert Case.objects.get(number="24-000077").key == "24-77"


def test_delete_page_of_a_used_body_lists_no_rows(admin_client, archive, django_assert_max_num_queries):
    body = Body.objects.get(name="Direktionen")
    with django_assert_max_num_queries(12):
        response = admin_client.get(f"/admin/minutes/body/{body.pk}/delete/")
    assert response.status_code == 200
    assert response.context["protected"] and not response.context["deleted_objects"]
    unused = Body.objects.create(name="Nyt udvalg", slug="nyt-udvalg")
    response = admin_client.post(f"/admin/minutes/body/{unused.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Body.objects.filter(pk=unused.pk).exists()


@pytest.mark.parametrize(
    "name,params",
    [
        ("meeting", {}),
        ("meeting", {"date__year": 2020}),
        ("meeting", {"q": "direktionen"}),
        ("agendaitem", {}),
        ("agendaitem", {"meeting_date__year": 2020, "meeting_date__month": 10}),
        ("agendaitem", {"q": "budget"}),
        ("agendaitem", {"decision_type__exact": "approved", "closed__exact": 0}),
        ("case", {"q": "24-3210"}),
    ],
)
def test_changelist_queries_do_not_grow_with_the_archive(
    admin_client, archive, request, django_assert_max_num_queries, name, params
):
    with CaptureQueriesContext(connection) as five_meetings:
        assert admin_client.get(changelist(name), params).status_code == 200
    request.getfixturevalue("generated_archive")  # 120 more meetings, about 1,000 more items
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES) as more_meetings:
        response = admin_client.get(changelist(name), params)
    assert response.status_code == 200 and results(response)
    assert len(more_meetings) == len(five_meetings)
    # No query reads a whole table unbounded: the only COUNTs are capped ones.
    for query in more_meetings.captured_queries:
        if "COUNT(" in query["sql"].upper():
            assert (
                "GROUP BY" in query["sql"] or f"LIMIT {archive_admin.EXACT_COUNT_LIMIT + 1}" in query["sql"]
            )


def test_counts_are_exact_when_small_then_estimated(generated_archive, monkeypatch):
    items = AgendaItem.objects.all()
    assert archive_admin.EstimatedCountPaginator(items, 100).count == items.count()
    assert archive_admin._table_estimate(items) < archive_admin.EXACT_COUNT_LIMIT  # a real pg_class row

    monkeypatch.setattr(archive_admin, "EXACT_COUNT_LIMIT", 50)
    table_estimate = archive_admin._table_estimate(items)  # (analysed by the fixture: about the truth)
    with CaptureQueriesContext(connection) as queries:
        assert archive_admin.EstimatedCountPaginator(items, 100).count == table_estimate
    assert len(queries) == 1 and "reltuples" in queries[0]["sql"]  # the table itself is not read

    # Statistics that still say the table is small (not yet analysed): counted up to the limit, then
    # the planner's estimate.
    monkeypatch.setattr(archive_admin, "_table_estimate", lambda queryset: 0)
    with CaptureQueriesContext(connection) as queries:
        estimate = archive_admin.EstimatedCountPaginator(items, 100).count
    assert estimate > 50
    sql = [q["sql"] for q in queries]
    assert len(sql) == 2 and "LIMIT 51" in sql[0] and sql[1].startswith("EXPLAIN")

    monkeypatch.setattr(archive_admin, "_table_estimate", lambda queryset: 1_000_000)
    with CaptureQueriesContext(connection) as queries:
        assert archive_admin.EstimatedCountPaginator(items, 100).count == 1_000_000
    assert len(queries) == 0  # the (patched) pg_class figure: the table itself is not read
    small = items.filter(meeting__in=Meeting.objects.order_by("pk")[:2])
    assert archive_admin.EstimatedCountPaginator(small, 100).count == small.count() <= 50


def test_an_item_too_long_for_the_search_index_is_a_form_error_not_a_500(admin_client, archive):
    item = AgendaItem.objects.get(title__startswith="Flådestyring")
    data = post_data(admin_client.get(change_page(item)))
    data["presentation"] = "ord " * 120_000  # 480,000 characters
    response = admin_client.post(change_page(item), data)
    assert response.status_code == 200
    assert "Punktets tekster er for lange til søgeindekset (" in response.content.decode()
    item.refresh_from_db()
    assert len(item.presentation) < 100_000 and item.meeting.hand_edited_at is None
