"""send_alerts: one digest per confirmed subscription with the items published since its mark.

Invariants:
* Nothing is lost: a run covers the publications up to a bound below which every publication is
  committed (PublicationQuerySet.committed_bound), and a subscription's mark moves to that bound only
  after its mail was accepted by the SMTP server, or when nothing new matched. A mail that fails
  leaves its mark where it was: the next run sends it.
* Nothing is sent twice: the mark moves (one UPDATE, its own transaction, for the mails whose answers
  came together) right after the server took the mail, so a run killed or failing halfway resumes with
  the subscriptions it had not reached. Only the mails in flight when a run dies (mails.Outbox: at most
  two per SMTP connection, whose worker processes stop with the run) can be sent again; a repeat has
  the same Message-ID (subscription and bound), so mail programs can tell.
* Memory stays flat with the number of subscriptions: they are read in chunks, ordered so that those
  with the same mark and the same search are neighbours; only the current mark's new items (a few
  thousand), what was found and rendered for them (bounded by KNOWN_LIMIT) and the mails in flight are
  held.
* The search of a subscription is its page's search among the new items: every filter as the page's
  filter set applies it (search.page.item_query), the words as the filter set matches them
  (query.search: stems, compounds, phrases, "or", exclusions, case numbers). What the page adds for a
  query that finds less than a page in the whole archive (search/meaning.py: split words, other words,
  corrections, any of the words) helps a person looking for something, and is not news. A case, a
  body or a person is matched against the new items' own case, body and attendance.
"""

import datetime
import time
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from minutes import followed
from minutes.alerts import mails, subscribing
from minutes.models import (
    AgendaItem,
    AlertFrequency,
    AlertKind,
    AlertRun,
    Attendance,
    Publication,
    Subscription,
)
from minutes.search import query, snippets
from minutes.search.page import item_query
from minutes.templatetags.minutes_tags import da_date, highlight, plain_marked

MAX_ITEMS_PER_MAIL = 50  # a mail with more links to the rest
DECISION_CHARS = 600
CHUNK = 500
RUN_LOCK = 0x616C65727473  # "alerts": held by the sending run (a session advisory lock)
KNOWN_LIMIT = 50_000  # looked-up query words kept in a run (a few MB at most)
SNIPPET_SLOT = "\ue002"  # where a rendered item's snippet goes: private use, as the snippets' own marks


@dataclass
class Figures:
    subscriptions: int = 0
    new_items: int = 0
    mails: int = 0
    failures: int = 0
    expired: int = 0
    printed: list[str] = field(default_factory=list)  # a dry run's mails, as text
    busy: bool = False  # another run was sending: this one did nothing
    # Where the run's time went: finding each subscription's new items, writing the mails, and sending
    # them (waiting for a free SMTP connection, moving the marks).
    seconds: dict[str, float] = field(
        default_factory=lambda: {"finding": 0.0, "writing": 0.0, "sending": 0.0}
    )


@dataclass
class NewItems:
    """The items published after one mark, up to the run's bound: what the simple kinds match on, the
    matches of the searches' words, and each item's part of a mail, rendered once for every mail."""

    mark: int
    bound: int
    ids: list[int]
    of_case: dict[int, list[int]]  # case id -> its new items
    of_body: dict[int, list[int]]
    of_person: dict[int, list[int]]  # person id -> the new items of the meetings they attended
    texts: dict[str, list[int]] = field(default_factory=dict)  # q -> the new items it matches
    filtered: dict[str, set[int] | None] = field(default_factory=dict)  # other filters -> their new items
    searches: dict[str, list[int]] = field(default_factory=dict)  # query string -> its new items
    details: dict[int, dict] = field(default_factory=dict)  # read when a mail needs them
    rendered: dict[int, tuple[str, ...]] = field(default_factory=dict)  # see _part
    parts: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)  # (item, q) -> text, html

    @classmethod
    def between(cls, mark: int, bound: int) -> "NewItems":
        new = cls(mark, bound, [], {}, {}, {})
        meetings: dict[int, list[int]] = {}
        for pk, case_id, body_id, meeting_id in new.within.values_list(
            "pk", "case", "meeting_body", "meeting"
        ):
            new.ids.append(pk)
            if case_id:
                new.of_case.setdefault(case_id, []).append(pk)
            new.of_body.setdefault(body_id, []).append(pk)
            meetings.setdefault(meeting_id, []).append(pk)
        attended = Attendance.objects.filter(meeting_id__in=list(meetings)).values_list(
            "meeting_id", "person_id"
        )
        for meeting_id, person_id in attended:
            new.of_person.setdefault(person_id, []).extend(meetings[meeting_id])
        return new

    @property
    def within(self):
        """The new items as a queryset: a semi-join on the publications, no list of ids in the SQL."""
        published = Publication.objects.filter(id__gt=self.mark, id__lte=self.bound).values("item_id")
        return AgendaItem.objects.filter(pk__in=published).order_by()

    def matching(self, subscription: Subscription, known: dict) -> list[int]:
        if subscription.kind == AlertKind.CASE:
            return self.of_case.get(subscription.case_id, [])
        if subscription.kind == AlertKind.BODY:
            return self.of_body.get(subscription.body_id, [])
        if subscription.kind == AlertKind.PERSON:
            return self.of_person.get(subscription.person_id, [])
        if subscription.query not in self.searches:
            self.search([subscription], known)
        return self.searches[subscription.query]

    def search(self, subscriptions: list[Subscription], known: dict) -> None:
        """Find the new items of the searches among these subscriptions (those at this mark) all at once.

        A search's items are those its text matches (query.search, as the filter set's ``q`` runs it)
        that pass its other filters (the page's filter set, search.page.item_query, without the text).
        The filters are independent conditions, so the two are found apart and intersected here: every
        distinct text of the queries in one statement (query.search_many), every distinct set of other
        filters in one query among the new items, shared by all the searches that have it.
        """
        queries = [s.query for s in subscriptions if s.kind == AlertKind.SEARCH and s.sent_up_to == self.mark]
        todo = {q: QueryDict(q) for q in dict.fromkeys(queries) if q not in self.searches}
        texts = {params.get("q", "") for params in todo.values()} - self.texts.keys()
        if texts:
            self.texts.update(query.search_many(self.ids, texts, known))
        for q, params in todo.items():
            others = params.copy()
            others.pop("q", None)
            key = others.urlencode()
            if key not in self.filtered:
                items = item_query(others, within=self.within).items if others else None
                self.filtered[key] = None if items is None else set(_among_few(items))
            matched, allowed = self.texts[params.get("q", "")], self.filtered[key]
            self.searches[q] = matched if allowed is None else [pk for pk in matched if pk in allowed]

    def forget(self) -> None:
        """Drop what was found and rendered (the run's memory is bounded by KNOWN_LIMIT, not by N)."""
        for kept in (self.texts, self.filtered, self.searches, self.parts):
            kept.clear()

    def parts_of(self, ids: list[int], q: str, known: dict) -> list[tuple[str, str]]:
        """The mail's parts (text, HTML) for these items, newest meeting first, with snippets of the
        words of ``q`` (at most MAX_ITEMS_PER_MAIL)."""
        missing = [pk for pk in ids if pk not in self.details]
        if missing:
            rows = AgendaItem.objects.filter(pk__in=missing).select_related("meeting__body", "case")
            for item in rows.only(*SHOWN_FIELDS):
                self.details[item.pk] = _shown(item)
        shown = sorted(
            (self.details[pk] for pk in ids if pk in self.details),
            key=lambda d: (d["date"], d["start"] or datetime.time(0), -d["number"]),
            reverse=True,
        )[:MAX_ITEMS_PER_MAIL]
        unrendered = [d for d in shown if (d["pk"], q) not in self.parts]
        marked = snippets.highlight([_Id(d["pk"]) for d in unrendered], q, known) if q and unrendered else {}
        for d in unrendered:
            self.parts[(d["pk"], q)] = self._part(d, marked.get(d["pk"], ""))
        return [self.parts[(d["pk"], q)] for d in shown]

    def _part(self, shown: dict, snippet: str) -> tuple[str, str]:
        """An item's part of a mail (text, HTML) with this snippet. An item is in the mails of hundreds
        of searches, each with its own snippet: its templates are rendered once, with a slot where the
        snippet goes (and once without one), and the slot is filled as the templates' filters fill it."""
        if shown["pk"] not in self.rendered:
            self.rendered[shown["pk"]] = tuple(
                render_to_string(f"minutes/alerts/_item.{kind}", {**shown, "snippet": slot})
                for slot in (SNIPPET_SLOT, "")
                for kind in ("txt", "html")
            )
        text, html, bare_text, bare_html = self.rendered[shown["pk"]]
        if not snippet:
            return bare_text, bare_html
        # Both halves are HTML already escaped: the rendered template and the filter's own output.
        return text.replace(SNIPPET_SLOT, plain_marked(snippet)), mark_safe(
            html.replace(SNIPPET_SLOT, highlight(snippet))
        )


SHOWN_FIELDS = (
    "number",
    "title",
    "closed",
    "decision",
    "decision_type",
    "meeting_date",
    "meeting__start_time",
    "meeting__body__name",
    "case__number",
)


def _among_few(items) -> list[int]:
    """The ids of a filter's items among the new items, read without bitmap scans: it runs among a few
    thousand new items, found by their ids, and a bitmap scan of an index (a body's, a year's) would read
    the whole archive's entries first."""
    ids = items.order_by().values_list("pk", flat=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        return list(ids)


@dataclass(frozen=True)
class _Id:
    pk: int


def _shown(item) -> dict:
    decision = Truncator(item.decision).chars(DECISION_CHARS) if item.decision else ""
    return {
        "pk": item.pk,
        "number": item.number,
        "title": item.title,
        "closed": item.closed,
        "decision": decision,
        "decision_label": item.get_decision_type_display() if item.decision_type else "",
        "date": item.meeting_date,
        "da_date": da_date(item.meeting_date),
        "start": item.meeting.start_time,
        "body": item.meeting.body.name,
        "case": item.case.number if item.case_id else "",
        "url": mails.absolute(item.get_absolute_url()),
        "meeting_url": mails.absolute(item.meeting.get_absolute_url()),
    }


def daily_since(now) -> datetime.datetime:
    """The moment since which a daily subscription has not been looked at if it is due: today's (or,
    before that hour, yesterday's) ALERT_DAILY_HOUR, local time."""
    local = timezone.localtime(now)
    since = local.replace(hour=settings.ALERT_DAILY_HOUR, minute=0, second=0, microsecond=0)
    return since if local >= since else since - datetime.timedelta(days=1)


def due(bound: int, now):
    return (
        Subscription.objects.filter(confirmed_at__isnull=False, sent_up_to__lt=bound)
        .filter(
            Q(frequency=AlertFrequency.IMMEDIATELY)
            | Q(checked_at__isnull=True)
            | Q(checked_at__lt=daily_since(now))
        )
        .select_related("case", "body", "person")
        .order_by("sent_up_to", "kind", "query", "case_id", "body_id", "person_id", "pk")
    )


def digest(subscription: Subscription, count: int, parts: list[tuple[str, str]], bound: int):
    what = followed.of_subscription(subscription)
    words = "nyt punkt" if count == 1 else "nye punkter"
    return mails.build(
        subscription.address,
        Truncator(f"{count} {words}: {subscription.description}").chars(150),
        "digest",
        {
            "what": subscription.description,
            "count": count,
            "words": words,
            # Joined here, not looped over in the template: each part is rendered (and escaped) once by
            # its own template (_item.*) and shared by every mail that has the item.
            "items_text": "\n".join(f"{n}. {text}" for n, (text, _) in enumerate(parts, 1)),
            "items_html": mark_safe("".join(conditional_escape(html) for _, html in parts)),
            "more": max(0, count - MAX_ITEMS_PER_MAIL),
            "page_url": mails.absolute(what.url),
            "manage_url": subscribing.manage_url(subscription),
            "frequency": subscription.get_frequency_display().lower(),
        },
        unsubscribe=subscribing.unsubscribe_url(subscription),
        key=f"alert-{subscription.pk}-{bound}",
    )


def as_text(mail) -> str:
    headers = "".join(f"{name}: {value}\n" for name, value in mail.extra_headers.items())
    return f"Til: {', '.join(mail.to)}\nEmne: {mail.subject}\n{headers}\n{mail.body}"


def send_alerts(*, dry_run: bool = False, now=None) -> Figures:
    """Mail every due subscription what is new for it (see the module); a dry run changes nothing."""
    now = now or timezone.now()
    figures = Figures()
    if not dry_run:
        with connection.cursor() as cursor:  # one sending run at a time (cron may start the next early)
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK])
            if not cursor.fetchone()[0]:
                figures.busy = True
                return figures
        try:
            return _send_alerts(figures, now, dry_run)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK])
    return _send_alerts(figures, now, dry_run)


def _send_alerts(figures: Figures, now, dry_run: bool) -> Figures:
    run = None
    if not dry_run:
        figures.expired = subscribing.purge_expired(now=now)
        run = AlertRun.objects.create(started_at=now, expired=figures.expired)
    bound = Publication.objects.committed_bound()
    _session_for_alerts()
    outbox = None if dry_run else mails.Outbox()
    # known: the compounds of query words (search.query), shared by every search of the run.
    new, new_mark, quiet, known = None, None, [], {}
    seen_items: set[int] = set()
    subscriptions = due(bound, now).iterator(chunk_size=CHUNK)
    try:
        while chunk := list(islice(subscriptions, CHUNK)):
            if len(known) > KNOWN_LIMIT:
                known.clear()
            if new is not None and len(new.searches) + len(new.parts) > KNOWN_LIMIT:  # bounded, not by N
                new.forget()
            searched = False  # the chunk's searches of the current mark are found together
            for subscription in chunk:
                figures.subscriptions += 1
                started = time.perf_counter()
                if subscription.sent_up_to != new_mark:
                    new, new_mark = NewItems.between(subscription.sent_up_to, bound), subscription.sent_up_to
                    seen_items.update(new.ids)
                    searched = False
                if not searched:
                    new.search(chunk, known)
                    searched = True
                matched = new.matching(subscription, known)
                figures.seconds["finding"] += time.perf_counter() - started
                if not matched:
                    quiet.append(subscription.pk)
                    if len(quiet) >= CHUNK and not dry_run:
                        _advance(quiet, bound, now)
                    continue
                q = _text_of(subscription)
                started = time.perf_counter()
                mail = digest(subscription, len(matched), new.parts_of(matched, q, known), bound)
                figures.seconds["writing"] += time.perf_counter() - started
                if dry_run:
                    figures.printed.append(as_text(mail))
                    continue
                started = time.perf_counter()
                _record(outbox.send(subscription.pk, mail), figures, bound, now)
                figures.seconds["sending"] += time.perf_counter() - started
        if not dry_run:
            _record(outbox.finish(), figures, bound, now)
            _advance(quiet, bound, now)
            _forget_publications(bound)
    finally:
        if outbox is not None:  # a run that fails still records the mails the server took
            _record(outbox.finish(), figures, bound, now)
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
        figures.new_items = len(seen_items)
        if run is not None:
            AlertRun.objects.filter(pk=run.pk).update(
                finished_at=timezone.now(),
                subscriptions=figures.subscriptions,
                new_items=figures.new_items,
                mails=figures.mails,
                failures=figures.failures,
            )
    return figures


def _record(results, figures: Figures, bound: int, now) -> None:
    """Move the marks of the subscriptions whose mails the server took, right away (one UPDATE for the
    answers that came together); count the others."""
    sent = [pk for pk, taken in results if taken]
    figures.mails += len(sent)
    figures.failures += len(results) - len(sent)
    _advance(sent, bound, now)


def _session_for_alerts() -> None:
    """Settings of this run's database session (RESET at its end).

    synchronous_commit off: each mark moves in its own commit; waiting for the disk each time would cost
    more than sending the mail. Without the wait, only a crash of the database server itself (not of this
    run) can lose the last fraction of a second of moved marks, and so send those few mails again.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")


def _text_of(subscription: Subscription) -> str:
    if subscription.kind != AlertKind.SEARCH:
        return ""
    return QueryDict(subscription.query).get("q", "")


def _advance(pks: list[int], bound: int, now) -> None:
    """Move the marks of these subscriptions to the bound (those a concurrent run moved stay)."""
    if pks:
        with connection.cursor() as cursor:  # once per mail: plain SQL, without the ORM's cost
            cursor.execute(
                "UPDATE minutes_subscription SET sent_up_to = %s, checked_at = %s"
                " WHERE id = ANY(%s) AND sent_up_to < %s",
                [bound, now, pks, bound],
            )
        pks.clear()


def _forget_publications(bound: int) -> None:
    """Publications every confirmed subscription has been told about are not needed any more."""
    marks = Subscription.objects.filter(confirmed_at__isnull=False).order_by("sent_up_to")
    lowest = marks.values_list("sent_up_to", flat=True).first()
    Publication.objects.filter(id__lte=bound if lowest is None else min(lowest, bound)).delete()
