"""The Django admin for the archive: meetings, items, cases, people and bodies.

The archive holds about a million agenda items, so every page here must cost the same whatever the
archive's size. What Django's admin would otherwise do per page, and what replaces it:

* count the whole table for the paginator (twice, with ``show_full_result_count``): the table's row
  estimate or a count capped at EXACT_COUNT_LIMIT (EstimatedCountPaginator);
* list the date hierarchy's years with a DISTINCT over every row: one probe of the date index per
  year, month or day shown (IndexedDatesQuerySet);
* read the last page behind an OFFSET of a million rows: the second half of the pages is read
  from the end (EstimatedCountPaginator);
* search with ``icontains`` (a full scan): items by the full-text index (search.py) or by case
  key, cases by their key; only the meetings, one row per referat, are scanned;
* facet counts per filter choice, sorting by unindexed columns, select-across actions and a delete
  page that lists every protected row: switched off (ArchiveAdmin, ProtectedFirstMixin).

Corrections made here are marked on the meeting (``hand_edited_at``), so that a re-parse or a new
upload does not replace them unasked (reparse_minutes, upload.py), and the items' copies of their
meeting's date and body are kept in step with it.
"""

import datetime
import hashlib
import json

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Count, F, Func, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst, smart_split, unescape_string_literal

from minutes import importer, search, versions
from minutes.alerts import admin as alerts_admin  # noqa: F401 (registers the alerts' ModelAdmins)
from minutes.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Body,
    Case,
    Meeting,
    MeetingVersion,
    OtherDecision,
    Person,
    SynonymGroup,
    Treatment,
)
from minutes.slugs import slug_for

admin.site.site_header = "Referatarkivet – administration"
admin.site.site_title = "Referatarkivet"
admin.site.index_title = "Arkivets indhold"

# Up to this many rows a changelist's count is exact (a capped count is cheap); above, it is estimated.
EXACT_COUNT_LIMIT = 10_000


def _table_estimate(queryset) -> int:
    """The planner's row estimate of the queryset's table (-1 when it was never analysed)."""
    table = connections[queryset.db].ops.quote_name(queryset.model._meta.db_table)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return int(row[0]) if row else -1


def _planner_estimate(queryset) -> int:
    """The number of rows the planner expects the queryset to return (EXPLAIN, nothing is run)."""
    sql, params = queryset.order_by().values("pk").query.get_compiler(queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """A paginator whose count never reads more than EXACT_COUNT_LIMIT rows, and whose last pages are
    read from the end.

    Django's changelist counts its queryset once per page view for the page links; COUNT(*) over a
    million items reads the whole table (PostgreSQL keeps no row count). Instead:

    * unfiltered, the table's estimate in pg_class.reltuples (kept by autovacuum/ANALYZE, so a few
      per cent off at most) when it is above the limit: no query on the table at all;
    * otherwise the rows are counted, but at most EXACT_COUNT_LIMIT + 1 of them (a LIMIT subquery),
      so small results and small archives get exact counts;
    * a filtered result above the limit gets the planner's estimate (EXPLAIN, from the column
      statistics), at least the counted rows.

    The admin shows the number without saying that it may be an estimate; it is exact whenever it is
    at most EXACT_COUNT_LIMIT, and "Vis alle" (at most list_max_show_all rows) is only offered then.

    Every changelist links to its last page, which OFFSET would reach by reading the whole index
    before it. Pages in the second half are therefore read in the reverse order from the end (the
    ordering is total, so this is the same page). With an estimated count the last page holds the
    oldest rows, as it should, and the pages around the middle may overlap or skip as many rows as
    the estimate is off; the middle page is the most expensive one, reading half the rows.
    """

    @cached_property
    def count(self):
        queryset = self.object_list
        query = queryset.query
        unfiltered = not (query.where or query.distinct or query.combinator or query.is_sliced)
        if unfiltered and (estimate := _table_estimate(queryset)) > EXACT_COUNT_LIMIT:
            return estimate
        counted = queryset.order_by().values("pk")[: EXACT_COUNT_LIMIT + 1].count()
        if counted <= EXACT_COUNT_LIMIT:
            return counted
        return max(_planner_estimate(queryset), counted)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        if bottom <= self.count // 2 or not getattr(queryset, "ordered", False):
            return super().page(number)
        from_end = list(queryset.reverse()[self.count - top : self.count - bottom])
        return self._get_page(from_end[::-1], number, self)


# The step from one period of the date hierarchy to the next.
PERIOD_STEPS = {"year": "1 year", "month": "1 month", "day": "1 day"}
# A filtered changelist expected to hold fewer rows than this lists its periods in one pass over them.
PROBE_ABOVE_ROWS = 20_000


class IndexedDatesQuerySet(models.QuerySet):
    """A queryset whose ``dates()`` probes the date index once per period instead of reading every row.

    The admin's date hierarchy asks ``dates(field, "year")`` of the whole changelist: a
    SELECT DISTINCT date_trunc(...) over a million items (0.2 s; 2-3 s under a search for a
    frequent word). Here a recursive query asks for the first date of the first period, then the
    first date after it, and so on: one probe of the date index per year, month or day shown
    (1-2 ms in all). A probe walks the index until a row passes the filters, so it is cheap only
    when matching rows are dense; a filtered queryset the planner expects to be small
    (PROBE_ABOVE_ROWS) is listed by Django's DISTINCT, which then reads only those rows.
    """

    def dates(self, field_name, kind, order="ASC"):
        field = self.model._meta.get_field(field_name) if "__" not in field_name else None
        usable = isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
        if kind not in PERIOD_STEPS or not usable or self.query.is_sliced:
            return super().dates(field_name, kind, order)
        try:
            inner, params = self.order_by().values_list(field_name).query.get_compiler(self.db).as_sql()
            if self.query.where and _planner_estimate(self) < PROBE_ABOVE_ROWS:
                return list(super().dates(field_name, kind, order))
        except EmptyResultSet:  # .none(), or a filter such as pk__in=[]
            return []
        direction = "DESC" if order == "DESC" else "ASC"
        # ORDER BY ... LIMIT 1 rather than min(): the planner turns min() into an index probe only
        # for a single table, and a search on the body's name joins another.
        sql = f"""
            WITH RECURSIVE period(start) AS (
                SELECT date_trunc(%s, (
                    SELECT s.d FROM ({inner}) AS s(d) WHERE s.d IS NOT NULL ORDER BY s.d LIMIT 1
                )::timestamp)::date
              UNION ALL
                SELECT date_trunc(%s, (
                    SELECT s.d FROM ({inner}) AS s(d)
                    WHERE s.d >= (period.start + %s::interval)::date ORDER BY s.d LIMIT 1
                )::timestamp)::date
                FROM period WHERE period.start IS NOT NULL
            )
            SELECT start FROM period WHERE start IS NOT NULL ORDER BY start {direction}
        """
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [kind, *params, kind, *params, PERIOD_STEPS[kind]])
            return [row[0] for row in cursor.fetchall()]


class ArchiveAdmin(admin.ModelAdmin):
    """What every changelist of the archive shares: nothing counts or walks a whole table.

    No full-result count, no facet counts (one COUNT per filter choice), no bulk actions: the
    archive is written by the importer and the upload, and "select all N" on a million items would
    make the delete confirmation load every one of them. Objects are deleted one at a time.
    """

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    actions = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return IndexedDatesQuerySet(queryset.model, query=queryset.query, using=queryset.db)


class ProtectedFirstMixin:
    """The delete page asks whether anything protects the object before collecting what it would delete.

    Django's collector loads every protecting row to list it: all meetings of a body, all
    attendances of a person. One EXISTS per protecting relation says the same in a few queries.
    """

    def get_deleted_objects(self, objs, request):
        protected = []
        for obj in objs:
            for relation in obj._meta.get_fields(include_hidden=True):
                if not (relation.one_to_many and relation.auto_created):
                    continue
                if relation.on_delete is not models.PROTECT:
                    continue
                if relation.related_model._base_manager.filter(**{relation.field.name: obj}).exists():
                    protected.append(
                        f"{capfirst(obj._meta.verbose_name)} »{obj}« bruges af "
                        f"{relation.related_model._meta.verbose_name_plural} og kan ikke slettes."
                    )
        if protected:
            return [], {}, set(), protected
        return super().get_deleted_objects(objs, request)


def _changelist_link(model, params: str, text: str):
    url = reverse(f"admin:minutes_{model._meta.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, params, text)


def _mark_hand_edited(*meeting_ids) -> None:
    """Mark meetings as corrected by hand, and end as every write does (their words for compound
    search, the page cache emptied: importer.finish_run)."""
    ids = [pk for pk in meeting_ids if pk]
    if ids:
        now = timezone.now()
        Meeting.objects.filter(pk__in=ids).update(hand_edited_at=now, updated_at=now, terms_pending=True)
        importer.finish_run()


def _unique_slug(model, name: str) -> str:
    """The importer's slug for a new name ("Økonomiudvalget" -> "oekonomiudvalget"), made unique as it does.

    Not the admin's prepopulated JavaScript slug: that would spell "ø" as "o" and differ from the slug
    the importer gives the same name.
    """
    slug = slug_for(name)
    if model.objects.filter(slug=slug).exists():
        slug = f"{slug}-{hashlib.sha1(name.encode()).hexdigest()[:6]}"
    return slug


COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 48})}}


# ---------------------------------------------------------------------------------------------------
# Meetings


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["person", "position"]
    autocomplete_fields = ["person"]  # the person's name, not an id
    ordering = ["position"]
    extra = 0


class ItemForm(forms.ModelForm):
    """An item's texts together stay within what the search index takes, as an imported item's do."""

    def clean(self):
        data = super().clean()
        size = sum(
            len((data[name] if name in data else getattr(self.instance, name)) or "")
            for name in importer.ITEM_TEXT_FIELDS
        )
        if size > importer.MAX_ITEM_CHARACTERS:
            count, limit = (f"{n:,}".replace(",", ".") for n in (size, importer.MAX_ITEM_CHARACTERS))
            raise forms.ValidationError(
                f"Punktets tekster er for lange til søgeindekset ({count} tegn; højst {limit}).",
                code="too_long",
            )
        return data


class MeetingItemInline(admin.TabularInline):
    """The meeting's items with their main fields; the full item (texts, bilag) is one click away."""

    model = AgendaItem
    form = ItemForm
    fields = ["number", "title", "closed", "case", "decision_type", "decision"]
    autocomplete_fields = ["case"]  # the case number, not an id
    ordering = ["number"]
    # Narrow enough for the admin's content column: one row per item without sideways scrolling.
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 28})},
    }
    show_change_link = True
    extra = 0


class MeetingVersionInline(admin.TabularInline):
    """Earlier versions of the meeting (a new upload or a re-parse replaced them): read only."""

    model = MeetingVersion
    fields = ["source_name", "imported_at", "hand_edited_at", "replaced_at", "replaced_by"]
    readonly_fields = fields
    ordering = ["-replaced_at"]
    show_change_link = True
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MeetingChangeList(ChangeList):
    """The changelist, plus the number of items of each meeting shown: one grouped query for the page."""

    def get_results(self, request):
        super().get_results(request)
        meetings = list(self.result_list)  # fills the queryset's cache, which the template iterates
        if not meetings:
            return
        counts = dict(
            AgendaItem.objects.filter(meeting__in=[m.pk for m in meetings])
            .order_by()
            .values_list("meeting_id")
            .annotate(n=Count("pk"))
        )
        for meeting in meetings:
            meeting.item_count = counts.get(meeting.pk, 0)


@admin.register(Meeting)
class MeetingAdmin(ArchiveAdmin):
    list_display = ["date", "start_time", "body", "location", "item_count"]
    list_filter = ["body"]
    list_select_related = ["body"]
    date_hierarchy = "date"
    ordering = ["-date", "-start_time"]
    sortable_by = ["date"]  # the date index; other columns would sort every meeting
    search_fields = ["body__name", "location", "source_name"]
    search_help_text = "Udvalg, mødested eller kildefil, eller en dato (31-12-2024 eller 2024-12-31)."
    inlines = [AttendanceInline, MeetingItemInline, MeetingVersionInline]
    readonly_fields = [
        "source_name",
        "source_sha256",
        "source_file",
        "parse_digest",
        "import_batch",
        "import_position",
        "imported_at",
        "updated_at",
        "replaced_at",
        "hand_edited_at",
        "parse_warnings",
        "raw_text",
    ]
    fieldsets = [
        (None, {"fields": ["body", "date", "start_time", "location"]}),
        ("Indholdsfortegnelse", {"classes": ["collapse"], "fields": ["contents"]}),
        (
            "Kilde og indlæsning",
            {"classes": ["collapse"], "fields": [f for f in readonly_fields if f != "raw_text"]},
        ),
        ("Kildetekst", {"classes": ["collapse"], "fields": ["raw_text"]}),
    ]

    @admin.display(description="punkter")
    def item_count(self, meeting):
        return getattr(meeting, "item_count", None)

    def get_changelist(self, request, **kwargs):
        return MeetingChangeList

    def get_search_results(self, request, queryset, search_term):
        """A date is looked up in the date index. Each word must be in the body's name, the location or
        the source file name: the bodies are looked up first, so the meetings are filtered by body id
        without a join (the date index then answers the date hierarchy's first and last date), and
        only location and file name scan the meetings, one row per referat.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        for pattern in ("%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
            try:
                return queryset.filter(date=datetime.datetime.strptime(term, pattern).date()), False
            except ValueError:
                continue
        for word in smart_split(term):
            if len(word) > 1 and word[0] in "\"'" and word[-1] == word[0]:
                word = unescape_string_literal(word)
            bodies = list(Body.objects.filter(name__icontains=word).values_list("pk", flat=True))
            queryset = queryset.filter(
                Q(body__in=bodies) | Q(location__icontains=word) | Q(source_name__icontains=word)
            )
        return queryset, False

    def has_add_permission(self, request):
        """Meetings come from referater (import_minutes, the upload), with their source text."""
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"date", "body"} & set(form.changed_data):  # the items' copies follow
            obj.items.update(meeting_date=obj.date, meeting_body=obj.body)

    def save_formset(self, request, form, formset, change):
        if formset.model is AgendaItem:  # new and changed items get the meeting's date and body
            for item_form in formset.forms:
                item_form.instance.meeting_date = form.instance.date
                item_form.instance.meeting_body_id = form.instance.body_id
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.has_changed() or any(formset.has_changed() for formset in formsets):
            _mark_hand_edited(form.instance.pk)


def _changes_html(changes):
    lines = versions.describe(changes)
    if not lines:
        return "Ingen ændringer i indholdet."
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))


@admin.register(MeetingVersion)
class MeetingVersionAdmin(admin.ModelAdmin):
    """An earlier version, as it was shown: to read, never to change (versions.py writes them)."""

    list_display = ["meeting", "source_name", "replaced_at", "replaced_by"]
    list_select_related = ["meeting__body", "replaced_by"]
    raw_id_fields = ["meeting"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    actions = None
    fields = [
        "meeting",
        "source_name",
        "source_sha256",
        "source_file",
        "imported_at",
        "hand_edited_at",
        "replaced_at",
        "replaced_by",
        "changes_to_next",
        "changes_to_now",
        "content_text",
        "raw_text",
    ]
    readonly_fields = fields

    @admin.display(description="ændringer til den næste version")
    def changes_to_next(self, version):
        later = (
            version.meeting.versions.filter(replaced_at__gt=version.replaced_at)
            .order_by("replaced_at")
            .first()
        )
        if later is None:
            return self.changes_to_now(version)
        return _changes_html(versions.diff(version.content, later.content))

    @admin.display(description="ændringer til den offentliggjorte version")
    def changes_to_now(self, version):
        return _changes_html(versions.diff(version.content, versions.snapshot(version.meeting)))

    @admin.display(description="indhold")
    def content_text(self, version):
        return format_html("<pre>{}</pre>", json.dumps(version.content, ensure_ascii=False, indent=2))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return False  # reached from its meeting, not listed on the admin's front page


# ---------------------------------------------------------------------------------------------------
# Agenda items


class TreatmentInline(admin.TabularInline):
    model = Treatment
    fields = ["body", "position"]
    ordering = ["position"]
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["title", "position"]
    ordering = ["position"]
    formfield_overrides = COMPACT_TEXT
    extra = 0


class OtherDecisionInline(admin.TabularInline):
    model = OtherDecision
    fields = ["body", "date", "text", "position"]
    ordering = ["position"]
    formfield_overrides = COMPACT_TEXT
    extra = 0


@admin.register(AgendaItem)
class AgendaItemAdmin(ArchiveAdmin):
    """Items, filtered, sorted and dated by the meeting's date and body copied onto them: no join."""

    form = ItemForm
    list_display = ["meeting_date", "meeting_body", "number", "title", "decision_type", "case", "closed"]
    list_display_links = ["title"]
    list_filter = ["decision_type", "closed", "meeting_body"]
    list_select_related = ["meeting_body", "case"]
    date_hierarchy = "meeting_date"
    # The date index, then the meeting's items in order ((meeting, number) is unique, so no id is added).
    ordering = ["-meeting_date", "-meeting_id", "number"]
    sortable_by = ["meeting_date"]
    # Shown for the search box; get_search_results replaces Django's icontains scan.
    search_fields = ["title", "=case__number"]
    search_help_text = (
        "Fuldtekstsøgning i titel, beslutning, resumé, indstilling og sagsfremstilling "
        "(også sammensatte ord), eller et sagsnummer."
    )
    raw_id_fields = ["meeting", "case"]
    readonly_fields = ["meeting_date", "meeting_body", "search_vector", "sample"]
    inlines = [TreatmentInline, AttachmentInline, OtherDecisionInline]
    fieldsets = [
        (None, {"fields": ["meeting", "meeting_date", "meeting_body", "number", "title", "closed"]}),
        ("Sag", {"fields": ["case", "journal_number", "document_number", "case_type"]}),
        ("Beslutning", {"fields": ["decision_type", "decision"]}),
        ("Tekst", {"fields": ["summary", "recommendation", "presentation", "economic_consequences"]}),
        ("Søgning", {"classes": ["collapse"], "fields": ["search_vector", "sample"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        """The full-text index (search.py), or the case key when the query is a case number."""
        term = search.clean_query(search_term)
        if not term:
            return queryset, False
        if key := search.case_query(term):
            return queryset.filter(case__key=key), False
        return search.search(queryset, term), False

    def save_model(self, request, obj, form, change):
        obj.meeting_date, obj.meeting_body_id = obj.meeting.date, obj.meeting.body_id
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.has_changed() or any(formset.has_changed() for formset in formsets):
            _mark_hand_edited(form.instance.meeting_id, form.initial.get("meeting"))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _mark_hand_edited(obj.meeting_id)


# ---------------------------------------------------------------------------------------------------
# Cases, people, bodies


class CaseItemInline(admin.TabularInline):
    """The case's history: its items across meetings and bodies, newest first (read only)."""

    model = AgendaItem
    fk_name = "case"
    fields = ["meeting_date", "meeting_body", "number", "title", "decision_type"]
    readonly_fields = fields
    ordering = ["-meeting_date", "number"]
    show_change_link = True
    can_delete = False
    extra = 0
    verbose_name_plural = "punkter i sagen"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting_body")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ProtectedFirstMixin, ArchiveAdmin):
    list_display = ["number", "key"]
    sortable_by = ["number"]
    search_fields = ["number", "key"]  # shown for the search box; get_search_results looks up the key
    search_help_text = "Sagsnummer, som det står eller skrives: 24-3210 finder 24-003210."
    readonly_fields = ["key", "items_link"]
    fields = ["number", "key", "items_link"]
    inlines = [CaseItemInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []  # a new case has no items yet

    @admin.display(description="punkter")
    def items_link(self, case):
        if not case.pk:
            return "–"
        return _changelist_link(AgendaItem, f"case__id__exact={case.pk}", "Vis sagens punkter i punktlisten")

    def get_search_results(self, request, queryset, search_term):
        """The case key (indexed) however the number is typed, or the number exactly as written."""
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(key=search.case_key(term)) | Q(number=term)), False

    def save_model(self, request, obj, form, change):
        obj.key = search.case_key(obj.number)
        super().save_model(request, obj, form, change)


class NamedAdmin(ProtectedFirstMixin, ArchiveAdmin):
    """People and bodies: found by name; the slug is the importer's and stays (it is in their URLs)."""

    list_display = ["name", "slug"]
    search_fields = ["name"]
    readonly_fields = ["slug", "links"]
    fields = ["name", "slug", "links"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.slug = _unique_slug(type(obj), obj.name)
        super().save_model(request, obj, form, change)


@admin.register(Person)
class PersonAdmin(NamedAdmin):
    @admin.display(description="i arkivet")
    def links(self, person):
        if not person.pk:
            return "–"
        return _changelist_link(Meeting, f"participants__id__exact={person.pk}", "Møder med deltageren")


@admin.register(Body)
class BodyAdmin(NamedAdmin):
    @admin.display(description="i arkivet")
    def links(self, body):
        if not body.pk:
            return "–"
        return format_html(
            "{} · {}",
            _changelist_link(Meeting, f"body__id__exact={body.pk}", "Udvalgets møder"),
            _changelist_link(AgendaItem, f"meeting_body__id__exact={body.pk}", "Udvalgets punkter"),
        )


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    """The words search adds for the same thing (search/meaning.py); used from the next search on."""

    list_display = ["__str__", "note"]
    fields = ["words", "note"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["words"].help_text = (
            "Ord med samme betydning, adskilt af komma (fx «ladestander, ladeinfrastruktur, ladestation»)."
            " Én bøjningsform er nok: ordene sammenlignes på ordstamme. Flere ord i ét (fx «grøn omstilling»)"
            " søges som en frase. Gælder fra næste søgning; indekset skal ikke bygges igen."
        )
        return form

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        # Any word of the group containing the term ("lade" finds the charging group).
        joined = Func(F("words"), Value(","), function="array_to_string", output_field=models.TextField())
        return queryset.alias(joined=joined).filter(joined__icontains=search_term.strip()), False

    search_fields = ["note"]  # shows the search box; get_search_results searches the words
