"""The archive: bodies, meetings, people, agenda items, cases and what hangs off them.

Everything a parsed referat says is kept (see PARSE_OUTPUT.md), plus where it came
from (file name, sha256 of the bytes, the decoded text for re-parsing). Items link
to a Case row so that a case's history across meetings and bodies is one query.
Only minutes/importer.py writes these tables from parsed minutes.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import Count, F, Func, Max, Min, Q
from django.db.models.functions import ExtractYear, Mod

from minutes import links
from minutes.search.query import SEARCH_CONFIG, case_key


class BodyQuerySet(models.QuerySet):
    def with_meeting_spans(self):
        """Bodies with ``meeting_count`` and the dates of their ``first`` and ``last`` meeting, by name."""
        return self.annotate(
            meeting_count=Count("meetings"), first=Min("meetings__date"), last=Max("meetings__date")
        ).order_by("name")


class Body(models.Model):
    """A board or committee (udvalg/organ), by its canonical name."""

    name = models.CharField("navn", max_length=200, unique=True)
    slug = models.SlugField("kortnavn", max_length=200, unique=True, allow_unicode=False)

    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = "udvalg"
        verbose_name_plural = "udvalg"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.page_path("minutes:body_detail", self.slug)


class Person(models.Model):
    name = models.CharField("navn", max_length=200, unique=True)
    slug = models.SlugField("kortnavn", max_length=200, unique=True)

    class Meta:
        verbose_name = "person"
        verbose_name_plural = "personer"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.page_path("minutes:person_detail", self.slug)


class CaseQuerySet(models.QuerySet):
    def find(self, number: str):
        """The case with this number as written or typed another way ("24-3210" finds 24-003210)."""
        return self.filter(number=number).first() or self.filter(key=case_key(number)).first()


class Case(models.Model):
    """One case (sag), by its case number as the minutes write it."""

    number = models.CharField("sagsnr.", max_length=40, unique=True)
    # The number as people type it may differ ("24-3210", "24 003210"): search.case_key()
    # gives both the same key.
    key = models.CharField("søgenøgle", max_length=40, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "sag"
        verbose_name_plural = "sager"
        ordering = ["number"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return links.page_path("minutes:case_detail", self.number)


class Term(models.Model):
    """A lexeme of the archive's search vectors, for compound-word search and suggestions.

    Filled by the importer (search.record_terms) from the items it writes; never shrinks,
    so it may hold lexemes no item has any more, which only costs an empty expansion.
    """

    lexeme = models.CharField("ordstamme", max_length=200, primary_key=True)

    class Meta:
        verbose_name = "ordstamme"
        verbose_name_plural = "ordstammer"
        indexes = [GinIndex(fields=["lexeme"], opclasses=["gin_trgm_ops"], name="term_lexeme_trigram_gin")]

    def __str__(self):
        return self.lexeme


class SynonymGroup(models.Model):
    """Words for the same thing ("ladestander", "ladeinfrastruktur"): a search for one that finds less
    than a page also finds the others, ranked below it (search/meaning.py). Matched by Danish stem."""

    words = ArrayField(models.CharField(max_length=100), verbose_name="ord")
    note = models.CharField("note", max_length=200, blank=True)

    class Meta:
        verbose_name = "gruppe af synonymer"
        verbose_name_plural = "synonymer"
        constraints = [
            models.CheckConstraint(
                condition=Q(words__len__gte=2),
                name="synonym_group_has_two_words",
                violation_error_message="En gruppe skal have mindst to ord med samme betydning.",
            ),
        ]

    def __str__(self):
        return ", ".join(self.words)


class SourceFile(models.Model):
    """A file as the secretariat uploaded it: kept unchanged (media storage), never served as a page."""

    file = models.FileField("fil", upload_to="referater/%Y/%m/")
    original_name = models.CharField("filnavn ved upload", max_length=255)
    kind = models.CharField("art", max_length=10, choices=[("text", "Tekst"), ("pdf", "PDF")])
    size = models.PositiveBigIntegerField("størrelse (bytes)")
    sha256 = models.CharField("sha256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="uploadet af",
    )
    uploaded_at = models.DateTimeField("uploadet", auto_now_add=True)

    class Meta:
        verbose_name = "kildefil"
        verbose_name_plural = "kildefiler"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name


class MeetingKind(models.TextChoices):
    """What the published document is: a referat records decisions, a dagsorden only the agenda."""

    REFERAT = "referat", "Referat"
    DAGSORDEN = "dagsorden", "Dagsorden"


class MeetingQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-date", F("start_time").desc(nulls_last=True), "-pk")

    def per_year(self) -> dict[int, int]:
        """{year: number of these meetings}."""
        rows = self.annotate(year=ExtractYear("date")).values("year").annotate(n=Count("pk")).order_by()
        return {row["year"]: row["n"] for row in rows}

    def with_item_counts(self, meetings) -> list:
        """Set ``item_count`` on a page of meetings (a list or a Page) with one grouped query.

        Counted for the shown rows only, through the item table's meeting index: an annotation
        (a join with GROUP BY, or a correlated subquery) would also be computed for every row an
        OFFSET skips, which makes page 500 of a body's meetings slow.
        """
        meetings = list(meetings)
        counts = dict(
            AgendaItem.objects.filter(meeting__in=[meeting.pk for meeting in meetings])
            .values_list("meeting")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for meeting in meetings:
            meeting.item_count = counts.get(meeting.pk, 0)
        return meetings

    def neighbour(self, meeting, *, earlier: bool):
        """The body's meeting just before or after this one, ordered by date then start time.

        A meeting without a start time comes before the day's timed meetings. The lookup uses
        the (body, date, start time) unique index.
        """
        date, time = meeting.date, meeting.start_time
        if earlier:
            condition = Q(date__lt=date)
            if time is not None:
                condition |= Q(date=date, start_time__lt=time) | Q(date=date, start_time=None)
            bound = Q(date__lte=date)
            order = ["-date", F("start_time").desc(nulls_last=True)]
        else:
            condition = Q(date__gt=date)
            if time is None:
                condition |= Q(date=date, start_time__isnull=False)
            else:
                condition |= Q(date=date, start_time__gt=time)
            bound = Q(date__gte=date)
            order = ["date", F("start_time").asc(nulls_first=True)]
        # The plain date bound is what gives the index scan a range to start from.
        candidates = self.filter(condition, bound, body_id=meeting.body_id)
        return candidates.order_by(*order).only("pk", "date", "start_time").first()


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name="udvalg")
    date = models.DateField("mødedato")
    start_time = models.TimeField("starttidspunkt", null=True, blank=True)
    location = models.CharField("mødested", max_length=300, blank=True)
    participants = models.ManyToManyField(
        Person, through="Attendance", related_name="meetings", verbose_name="mødedeltagere"
    )
    contents = models.JSONField("indholdsfortegnelse", default=list, blank=True)
    parse_warnings = models.JSONField("bemærkninger fra indlæsningen", default=list, blank=True)
    source_name = models.CharField("kildefil", max_length=255)
    source_sha256 = models.CharField("sha256 af kildefilen", max_length=64)
    raw_text = models.TextField("kildetekst")
    parse_digest = models.CharField("fingeraftryk af den fortolkede tekst", max_length=64, blank=True)
    # Which import run wrote this version, and the file's place in it (importer.import_files).
    import_batch = models.CharField("importkørsel", max_length=32, blank=True, db_index=True)
    import_position = models.PositiveIntegerField("placering i importkørslen", default=0)
    # Set with every write of the meeting's items, cleared once their words are in the Term table
    # (search.record_pending_terms): an import killed before its end leaves it set for the next run.
    terms_pending = models.BooleanField("ord endnu ikke registreret", default=False, editable=False)
    imported_at = models.DateTimeField("importeret", auto_now_add=True)
    updated_at = models.DateTimeField("opdateret", auto_now=True)
    # The uploaded file this version came from (None for command-line imports, which name theirs).
    source_file = models.ForeignKey(
        SourceFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="kildefil"
    )
    replaced_at = models.DateTimeField("erstattet", null=True, blank=True)
    # Set when someone corrects the meeting or its items by hand in the admin (see README, Upload).
    hand_edited_at = models.DateTimeField("rettet i hånden", null=True, blank=True)
    # A dagsorden is kept and shown as one until the meeting's referat replaces it.
    kind = models.CharField("slags", max_length=10, choices=MeetingKind.choices, default=MeetingKind.REFERAT)
    # The archive holds only some of the meeting's items: it was built from pages of single items, or
    # from a cut-off document that someone chose to publish as it was.
    partial = models.BooleanField("kun nogle af punkterne", default=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "møde"
        verbose_name_plural = "møder"
        ordering = ["-date", "-start_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "date", "start_time"],
                name="one_meeting_per_body_date_time",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values), name="meeting_kind_is_a_known_choice"
            ),
        ]
        indexes = [
            models.Index(fields=["date"], name="meeting_date_idx"),
            models.Index(
                fields=["id"], condition=models.Q(terms_pending=True), name="meeting_terms_pending_idx"
            ),
        ]
        permissions = [("upload_minutes", "Kan uploade og offentliggøre referater")]

    def __str__(self):
        return f"{self.body} {self.date:%d-%m-%Y}"

    def get_absolute_url(self):
        return links.page_path("minutes:meeting_detail", self.pk)


class MeetingVersion(models.Model):
    """An earlier version of a meeting, kept when a new referat (or a re-parse) replaced it.

    ``content`` is the meeting as it was shown, read from the archive's rows (hand corrections
    included) in the JSON shape of PARSE_OUTPUT.md; the current version is the meeting itself.
    """

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="versions", verbose_name="møde"
    )
    content = models.JSONField("indhold")
    raw_text = models.TextField("kildetekst")
    source_name = models.CharField("kildefil", max_length=255)
    source_sha256 = models.CharField("sha256 af kildefilen", max_length=64)
    source_file = models.ForeignKey(
        SourceFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="kildefil"
    )
    imported_at = models.DateTimeField("importeret")
    hand_edited_at = models.DateTimeField("rettet i hånden", null=True, blank=True)
    replaced_at = models.DateTimeField("erstattet")
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="erstattet af",
    )

    class Meta:
        verbose_name = "tidligere version"
        verbose_name_plural = "tidligere versioner"
        ordering = ["meeting", "-replaced_at"]

    def __str__(self):
        return f"{self.meeting} ({self.source_name}, erstattet {self.replaced_at:%d-%m-%Y %H:%M})"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    position = models.PositiveSmallIntegerField("rækkefølge")

    class Meta:
        verbose_name = "deltagelse"
        verbose_name_plural = "deltagelser"
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="one_attendance_per_person_and_meeting"
            ),
        ]

    def __str__(self):
        return f"{self.person} ved {self.meeting}"


class DecisionType(models.TextChoices):
    APPROVED = "approved", "Godkendt"
    RECOMMENDED = "recommended", "Anbefalet"
    DISCUSSED = "discussed", "Drøftet"
    NOTED = "noted", "Taget til efterretning"
    REJECTED = "rejected", "Afvist"
    POSTPONED = "postponed", "Udsat"
    NO_REMARKS = "no_remarks", "Ingen bemærkninger"
    OTHER = "other", "Anden beslutning"


def _weighted(field: str, weight: str) -> SearchVector:
    return SearchVector(field, weight=weight, config=SEARCH_CONFIG)


class AgendaItem(models.Model):
    """One agenda item (punkt) of a meeting, with every field of PARSE_OUTPUT.md."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items", verbose_name="møde")
    # The meeting's date and body, copied (the importer writes them with the meeting, which is
    # identified by them): searches filter, cut and sort by them together with the GIN index,
    # without a join (search/filters.py, search/page.py).
    meeting_date = models.DateField("mødedato")
    meeting_body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name="mødets udvalg"
    )
    number = models.PositiveSmallIntegerField("punkt nr.")
    title = models.TextField("titel")
    closed = models.BooleanField("lukket punkt", default=False)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="items", verbose_name="sag"
    )
    journal_number = models.CharField("J.nr.", max_length=40, blank=True)
    document_number = models.CharField("dokumentnr.", max_length=40, blank=True)
    case_type = models.CharField("sagstype", max_length=200, blank=True)
    decision = models.TextField("beslutning", blank=True)
    decision_type = models.CharField(
        "beslutningstype", max_length=20, choices=DecisionType.choices, blank=True
    )
    summary = models.TextField("resumé", blank=True)
    recommendation = models.TextField("indstilling", blank=True)
    presentation = models.TextField("sagsfremstilling", blank=True)
    economic_consequences = models.TextField("økonomiske konsekvenser", blank=True)
    treated_by = models.ManyToManyField(
        Body, through="Treatment", related_name="treated_items", verbose_name="behandles af"
    )
    search_vector = models.GeneratedField(
        expression=(
            _weighted("title", "A")
            + _weighted("decision", "B")
            + _weighted("summary", "C")
            + _weighted("recommendation", "C")
            + _weighted("presentation", "D")
            + _weighted("economic_consequences", "D")
            + _weighted("case_type", "D")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # A fixed pseudo-random share of the items (0-999, a hash of the id, so unrelated to body, date
    # or item number): facet counts of searches with very many hits are estimated from sample 0
    # (0.1 %), samples 0-9 (1 %) or 0-99 (10 %), each with its own small partial GIN index
    # (filters.SAMPLES).
    sample = models.GeneratedField(
        expression=Mod(
            Func(F("id"), function="hashint8", output_field=models.IntegerField()).bitand(2**31 - 1), 1000
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = "punkt"
        verbose_name_plural = "punkter"
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="one_item_number_per_meeting"),
            models.CheckConstraint(
                condition=Q(decision_type__in=[*DecisionType.values, ""]),
                name="decision_type_is_a_known_choice",
            ),
            models.CheckConstraint(
                condition=Q(decision_type="") | ~Q(decision=""),
                name="decision_type_only_with_a_decision",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="item_search_vector_gin"),
            GinIndex(fields=["search_vector"], condition=Q(sample=0), name="item_sample_tenth_vector_gin"),
            GinIndex(fields=["search_vector"], condition=Q(sample__lt=10), name="item_sample1_vector_gin"),
            GinIndex(fields=["search_vector"], condition=Q(sample__lt=100), name="item_sample10_vector_gin"),
            models.Index(fields=["sample"], name="item_sample_idx"),
            models.Index(fields=["meeting_date"], name="item_meeting_date_idx"),
            models.Index(fields=["meeting_body", "meeting_date"], name="item_body_date_idx"),
            models.Index(fields=["decision_type"], name="item_decision_type_idx"),
        ]

    def __str__(self):
        return f"Punkt {self.number}: {self.title}"

    def get_absolute_url(self):
        return links.page_path("minutes:item_detail", self.pk)


class Treatment(models.Model):
    """A body that treats an item (the item's ``Behandling`` line), in the order given."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="treatments")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="treatments")
    position = models.PositiveSmallIntegerField("rækkefølge")

    class Meta:
        verbose_name = "behandling"
        verbose_name_plural = "behandlinger"
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "body"], name="one_treatment_per_body_and_item"),
        ]

    def __str__(self):
        return f"{self.body}: {self.item}"


class Attachment(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="attachments")
    title = models.TextField("titel")
    position = models.PositiveSmallIntegerField("rækkefølge")

    class Meta:
        verbose_name = "bilag"
        verbose_name_plural = "bilag"
        ordering = ["item", "position"]

    def __str__(self):
        return self.title


class OtherDecision(models.Model):
    """A decision of another body recorded in an item (``Økonomiudvalgets møde den …:``)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="other_decisions")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="recorded_decisions")
    date = models.DateField("dato", null=True, blank=True)
    text = models.TextField("beslutning")
    position = models.PositiveSmallIntegerField("rækkefølge")

    class Meta:
        verbose_name = "andet udvalgs beslutning"
        verbose_name_plural = "andre udvalgs beslutninger"
        ordering = ["item", "position"]

    def __str__(self):
        return f"{self.body} {self.date}: {self.text[:60]}"


class SearchChange(models.Model):
    """An item whose search document must be written again (or removed) in the search index.

    Database triggers (migration 0010) add a row in the same transaction as every change of an item,
    its treatments, its meeting's attendance or start time, or its case's number, whatever writes it.
    The indexer (search/indexing.py) removes rows only after the index has committed them, so a crash
    between the database commit and the index commit leaves the rows to be applied again.
    """

    id = models.BigAutoField(primary_key=True)
    item_id = models.BigIntegerField()  # no foreign key: a deleted item's row says "remove it"

    class Meta:
        verbose_name = "ændring til søgeindekset"
        verbose_name_plural = "ændringer til søgeindekset"

    def __str__(self):
        return f"punkt {self.item_id}"


class SearchIndexState(models.Model):
    """One row: which archive this database is. An index built from another database (another
    DATABASE_URL) carries another identity and is never used for this one."""

    identity = models.UUIDField(unique=True)

    class Meta:
        verbose_name = "søgeindeksets arkiv"

    def __str__(self):
        return str(self.identity)


# Taken shared by every transaction that records publications and exclusively, for a moment, by the
# alerts run that asks how far they go (PublicationQuerySet.committed_bound).
PUBLICATION_LOCK = 0x6D696E75746573  # "minutes"


class PublicationQuerySet(models.QuerySet):
    def record(self, item_ids) -> None:
        """Count these items as published now, in the writing transaction (importer._write_children)."""
        if not item_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [PUBLICATION_LOCK])
        self.bulk_create([Publication(item_id=pk) for pk in item_ids])

    def committed_bound(self) -> int:
        """The highest publication id below which every publication is committed (0 when there is none).

        Ids come from a sequence, so a transaction can commit id 7 after another committed id 8: a run
        that read 8 as its bound and later moved a mark past 7 would lose it. Every recording
        transaction holds the lock shared from before it takes its ids until it commits; waiting for
        the lock exclusively therefore waits for every id already taken to be committed.
        """
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [PUBLICATION_LOCK])
            try:
                cursor.execute("SELECT coalesce(max(id), 0) FROM minutes_publication")
                return cursor.fetchone()[0]
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [PUBLICATION_LOCK])


class Publication(models.Model):
    """An item as the e-mail alerts count it new: written for the first time (import, upload), or
    written again with another decision (a referat replacing its dagsorden, a re-parse, a corrected
    file). Ids only grow: a subscription's mark (Subscription.sent_up_to) is the last id it covered.

    Only the importer's one write path adds rows; an item keeps its id when its meeting is replaced,
    so a row names the item, not a version of it (a later delete of the item just drops it from mails).
    """

    id = models.BigAutoField(primary_key=True)
    item_id = models.BigIntegerField()  # no foreign key: an item deleted later is left out of mails

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "offentliggørelse"
        verbose_name_plural = "offentliggørelser"

    def __str__(self):
        return f"punkt {self.item_id}"


class AlertKind(models.TextChoices):
    SEARCH = "soegning", "Søgning"
    CASE = "sag", "Sag"
    BODY = "udvalg", "Udvalg"
    PERSON = "person", "Person"


class AlertFrequency(models.TextChoices):
    IMMEDIATELY = "straks", "Straks"
    DAILY = "dagligt", "Én gang om dagen"


def _follows_only(kind: str, field: str | None) -> Q:
    """The subscription of this kind names exactly what it follows: its own field set, the others not."""
    condition = Q(kind=kind)
    for name in ("case", "body", "person"):
        condition &= Q(**{f"{name}__isnull": name != field})
    return condition & (Q() if kind == AlertKind.SEARCH else Q(query=""))


class Subscription(models.Model):
    """An e-mail alert: an address, what it follows, and how far it has been told.

    Nothing else about the person is kept: no name, no IP address, no account. Unsubscribing deletes the
    row. A request waits unconfirmed (``confirmed_at`` empty) until the link of the confirmation mail is
    used; ``send_alerts`` deletes it when ``confirmation_expires_at`` has passed. The confirmation token is
    stored only as its sha256. ``sent_up_to`` is the last Publication id the address was told about (or
    found nothing new in): moved in the same transaction that records the mail as sent.
    """

    address = models.EmailField("e-mailadresse", max_length=254)
    kind = models.CharField("følger", max_length=10, choices=AlertKind.choices)
    # A search: its canonical query string (slugs, without page and sort), "" for every item.
    query = models.TextField("søgning", blank=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    description = models.TextField("hvad der følges")  # Danish, as the page said it (followed.py)
    frequency = models.CharField(
        "hvor ofte", max_length=10, choices=AlertFrequency.choices, default=AlertFrequency.IMMEDIATELY
    )
    confirmation_hash = models.CharField("bekræftelsesnøgle (sha256)", max_length=64, blank=True)
    confirmation_sent_at = models.DateTimeField("bekræftelse sendt", null=True, blank=True)
    confirmation_expires_at = models.DateTimeField("bekræftelse udløber", null=True, blank=True)
    confirmed_at = models.DateTimeField("bekræftet", null=True, blank=True)
    sent_up_to = models.BigIntegerField("sendt til og med offentliggørelse", default=0)
    checked_at = models.DateTimeField("sidst undersøgt", null=True, blank=True)

    class Meta:
        verbose_name = "e-mailabonnement"
        verbose_name_plural = "e-mailabonnementer"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["address", "kind", "query", "case", "body", "person"],
                name="one_subscription_per_address_and_followed",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AlertKind.values), name="subscription_kind_is_a_known_choice"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=AlertFrequency.values),
                name="subscription_frequency_is_a_known_choice",
            ),
            models.CheckConstraint(
                condition=_follows_only(AlertKind.SEARCH, None)
                | _follows_only(AlertKind.CASE, "case")
                | _follows_only(AlertKind.BODY, "body")
                | _follows_only(AlertKind.PERSON, "person"),
                name="subscription_names_what_its_kind_follows",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=False) | ~Q(confirmation_hash=""),
                name="subscription_confirmed_or_waiting_for_its_token",
            ),
        ]
        indexes = [models.Index(fields=["address"], name="subscription_address_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description}"


class AlertRun(models.Model):
    """The figures of one ``send_alerts`` run, for the admin (a dry run records none)."""

    started_at = models.DateTimeField("startet")
    finished_at = models.DateTimeField("færdig", null=True, blank=True)
    subscriptions = models.PositiveIntegerField("abonnementer undersøgt", default=0)
    new_items = models.PositiveIntegerField("nye punkter", default=0)
    mails = models.PositiveIntegerField("mails sendt", default=0)
    failures = models.PositiveIntegerField("mails ikke sendt", default=0)
    expired = models.PositiveIntegerField("ubekræftede slettet", default=0)

    class Meta:
        verbose_name = "udsendelse"
        verbose_name_plural = "udsendelser"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%d-%m-%Y %H:%M}"
