"""E-mail alerts, read from a real SMTP server (aiosmtpd on 127.0.0.1): subscribing, confirming, the
digests and their filters, unsubscribing by the RFC 8058 POST, reruns, a run that dies, throttling."""

import datetime
import email
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import time
from email import policy
from urllib.parse import urlencode, urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import connections
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from minutes import followed, importer
from minutes.alerts import mails, sending
from minutes.models import AlertKind, AlertRun, Body, Publication, Subscription
from minutes.search.page import item_query
from tests.test_e2e import CHROMIUM, FLAGS
from tests.test_search_index import subprocess_environment

SAMPLE = sorted(importer.SAMPLE_DIR.glob("*.txt"))[0]  # Direktionen 02-04-2024, "bilflåde" in items 5 and 6


class Inbox:
    """What the SMTP server received, as parsed messages; ``refuse_after``: answer 451 from then on."""

    def __init__(self):
        self.messages = []
        self.refuse_after = None
        self.kill_at = None  # (process id, n): that process is killed as its n-th mail arrives

    async def handle_DATA(self, server, session, envelope):
        if self.kill_at and len(self.messages) + 1 == self.kill_at[1]:
            os.kill(self.kill_at[0], signal.SIGKILL)  # before the server says it has the mail
            return "451 Prøv igen senere"
        if self.refuse_after is not None and len(self.messages) >= self.refuse_after:
            return "451 Prøv igen senere"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def take(self):
        messages, self.messages = self.messages, []
        return messages


@pytest.fixture
def smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://referater.example"
    yield inbox
    controller.stop()


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def subject(message) -> str:
    return " ".join(str(message["Subject"]).split())


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def path_of(url: str) -> str:
    return urlsplit(url).path


def publish(name: str, *, body="Direktionen", date=(2031, 3, 4), change=None):
    """The first sample referat as another meeting (body, date); ``change``: (old, new) text."""
    text = SAMPLE.read_text(encoding="utf-8")
    year, month, day = date
    text = text.replace(
        "REFERAT Direktionen d. 02-04-2024", f"REFERAT {body} d. {day:02d}-{month:02d}-{year}"
    )
    text = text.replace("Tirsdag d. 02. april 2024", f"Tirsdag d. {day:02d}. marts {year}")
    if change:
        text = text.replace(*change, 1)
    importer.import_bytes(text.encode(), name)


def subscribe(client, kind, key, address, frequency="straks", **headers):
    return client.post(
        "/abonnement/",
        {"foelger": kind, "noegle": key, "adresse": address, "hyppighed": frequency},
        **headers,
    )


def confirm(client, message):
    link = re.search(r"https://referater\.example(/abonnement/bekraeft/[^/\s]+/)", text_of(message)).group(1)
    page = client.get(link)
    assert "Bekræft abonnementet" in page.content.decode()
    return client.post(link)


def subscribed(client, smtp, kind, key, address, frequency="straks"):
    response = subscribe(client, kind, key, address, frequency)
    assert response.status_code == 200, response.content.decode()
    (message,) = smtp.take()
    assert confirm(client, message).status_code == 200
    return Subscription.objects.get(address=address, kind=kind)


def test_alerts_subscribe_sends_one_confirmation_and_nothing_before_it_is_used(archive, smtp, client):
    response = subscribe(client, "soegning", "q=bilflåde&udvalg=Direktionen&side=3", "Laeser@Example.dk")
    assert "Tjek din indbakke" in response.content.decode()
    (message,) = smtp.take()
    assert message["To"] == "laeser@example.dk"
    assert subject(message) == "Bekræft: følg søgningen «bilflåde» (Udvalg: Direktionen)"
    assert "/abonnement/bekraeft/" in text_of(message) and "Bekræft abonnementet" in html_of(message)
    subscription = Subscription.objects.get()
    assert subscription.query == "q=bilfl%C3%A5de&udvalg=direktionen"  # canonical: slug, no page
    assert subscription.confirmed_at is None and len(subscription.confirmation_hash) == 64

    publish("ny.txt")
    call_command("send_alerts")
    assert smtp.take() == []  # not confirmed: nothing sent
    assert Subscription.objects.get().confirmed_at is None


def test_alerts_digest_of_a_search_holds_its_filters(archive, smtp, client):
    subscription = subscribed(client, smtp, "soegning", "q=bilflåde&udvalg=direktionen", "a@example.dk")
    assert subscription.description == "søgningen «bilflåde» (Udvalg: Direktionen)"
    publish("direktionen-2031.txt")
    publish("oekonomi-2031.txt", body="Økonomiudvalget", date=(2031, 3, 5))  # the same words, another body

    call_command("send_alerts")
    (digest,) = smtp.take()
    text, html = text_of(digest), html_of(digest)
    assert subject(digest) == "2 nye punkter: søgningen «bilflåde» (Udvalg: Direktionen)"
    assert "Flådestyring af Kalundborg Kommunes bilflåde - faseskift til beslutningsfase" in text
    assert "Direktionen, 4. marts 2031, punkt 5" in text
    assert "Beslutning (Godkendt):" in text
    assert "*bilflåde*" in text and "<mark>bilflåde</mark>" in html  # the matched words, marked
    assert "Økonomiudvalget" not in text
    direktionen = Body.objects.get(name="Direktionen")
    linked = {int(pk) for pk in re.findall(r"https://referater\.example/punkt/(\d+)/", text)}
    assert len(linked) == 2
    assert {item.meeting_body_id for item in direktionen.meetings.get(date="2031-03-04").items.all()} == {
        direktionen.pk
    }
    assert linked <= set(direktionen.meetings.get(date="2031-03-04").items.values_list("pk", flat=True))
    assert "https://referater.example/soeg/?q=bilfl%C3%A5de&udvalg=direktionen" in text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<https://referater\.example/abonnement/[^/]+/afmeld/>", digest["List-Unsubscribe"].strip()
    )

    call_command("send_alerts")  # a rerun: nothing new, nothing sent
    assert smtp.take() == []
    run = AlertRun.objects.order_by("-pk").first()
    assert (run.mails, run.failures, run.finished_at is not None) == (0, 0, True)


def test_alerts_searches_found_together_are_each_their_pages_search(archive):
    """The searches of a run are found together (every text in one statement, each set of other filters
    once); each must still get exactly what its page's search gives among the new items."""
    mark = Publication.objects.committed_bound()
    publish("direktionen-2031.txt")
    publish("oekonomi-2031.txt", body="Økonomiudvalget", date=(2031, 3, 5), change=("Drøftet.", "Godkendt."))
    searches = [
        {"q": "bilflåde"},
        {"q": "bilflåde", "udvalg": "Direktionen"},
        {"q": "flåde", "beslutning": "approved"},
        {"q": "flådestyring -strategi", "aar": "2031"},
        {"q": '"virtuelle møder"', "udvalg": "økonomiudvalget"},
        {"q": "21-102762"},  # a case number
        {"q": "kontaktcenter or flådestyring"},
        {"udvalg": "økonomiudvalget"},  # filters only: every new item of the body
        {"q": "bilflåde", "aar": "2024"},  # the text matches, the filter doesn't
        {"q": "xyzzyq"},
    ]
    subscriptions = [
        Subscription(
            kind=AlertKind.SEARCH, query=followed.search(QueryDict(urlencode(s)))[0].query, sent_up_to=mark
        )
        for s in searches
    ]
    new = sending.NewItems.between(mark, Publication.objects.committed_bound())
    new.search(subscriptions, {})
    found = {}
    for subscription in subscriptions:
        page = item_query(QueryDict(subscription.query), within=new.within).items.values_list("pk", flat=True)
        found[subscription.query] = sorted(new.matching(subscription, {}))
        assert found[subscription.query] == sorted(page), subscription.query
    every_body, direktionen, _, _, _, case, either, oekonomi, none_2024, nothing = found.values()
    assert direktionen and set(direktionen) < set(every_body) and case and either and oekonomi
    assert none_2024 == [] and nothing == []


def test_alerts_body_case_and_person_get_only_their_items(archive, smtp, client):
    subscribed(client, smtp, "udvalg", "direktionen", "direktion@example.dk")
    subscribed(client, smtp, "sag", "21-102762", "sag@example.dk")
    subscribed(client, smtp, "person", "michael-gravesen", "person@example.dk")
    publish("ny.txt")

    call_command("send_alerts")
    mails = {message["To"]: message for message in smtp.take()}
    assert set(mails) == {"direktion@example.dk", "sag@example.dk", "person@example.dk"}
    assert subject(mails["sag@example.dk"]) == "1 nyt punkt: sag 21-102762"
    assert "Drøftelse af emner med borgmesteren" in text_of(mails["sag@example.dk"])
    assert subject(mails["person@example.dk"]).endswith(": møderne med Michael Gravesen")


def test_alerts_a_changed_decision_is_news_an_unchanged_reimport_is_not(archive, smtp, client):
    publish("ny.txt")
    subscribed(client, smtp, "udvalg", "direktionen", "d@example.dk")
    publish("ny-igen.txt", change=("(i 2015 blev der købt 55+ biler", "(i 2015 blev der købt 56 biler"))
    call_command("send_alerts")
    assert smtp.take() == []  # the text changed, no decision did
    publish("rettet.txt", change=("Drøftet.", "Drøftet og godkendt."))
    call_command("send_alerts")
    (digest,) = smtp.take()
    assert subject(digest) == "1 nyt punkt: Direktionen"
    assert "Drøftet og godkendt." in text_of(digest)


def test_alerts_unsubscribe_by_the_headers_post_deletes_the_address(archive, smtp, client):
    subscribed(client, smtp, "udvalg", "direktionen", "v@example.dk")
    publish("ny.txt")
    call_command("send_alerts")
    (digest,) = smtp.take()
    url = digest["List-Unsubscribe"].strip().strip("<>")

    mail_program = Client(enforce_csrf_checks=True)  # no cookie, no token: RFC 8058's POST
    page = mail_program.get(path_of(url))
    assert "Vil du afmelde mails om Direktionen?" in page.content.decode()
    response = mail_program.post(
        path_of(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "Du er afmeldt" in response.content.decode()
    assert not Subscription.objects.filter(address="v@example.dk").exists()
    assert mail_program.post(path_of(url)).status_code == 404  # used: "Linket virker ikke"

    publish("mere.txt", date=(2031, 3, 6))
    call_command("send_alerts")
    assert smtp.take() == []


def test_alerts_manage_page_lists_and_ends_every_subscription_of_the_address(archive, smtp, client):
    subscribed(client, smtp, "udvalg", "direktionen", "m@example.dk")
    Subscription.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(hours=2))
    subscribed(client, smtp, "sag", "21-102762", "m@example.dk")
    subscribed(client, smtp, "sag", "21-102762", "andre@example.dk")
    publish("ny.txt")
    call_command("send_alerts")
    digest = next(m for m in smtp.take() if m["To"] == "m@example.dk" and "sag" in subject(m))
    manage = re.search(r"https://referater\.example(/abonnement/[^/\s]+/)\s", text_of(digest)).group(1)
    page = client.get(manage).content.decode()
    assert "Direktionen" in page and "sag 21-102762" in page and page.count(">Afmeld</button>") == 2
    client.post(manage)
    assert list(Subscription.objects.values_list("address", flat=True)) == ["andre@example.dk"]


def test_alerts_a_run_that_fails_halfway_resumes_without_repeats_or_losses(
    archive, smtp, client, monkeypatch
):
    addresses = [f"l{n}@example.dk" for n in range(4)]
    for address in addresses:
        subscribed(client, smtp, "udvalg", "direktionen", address)
    publish("ny.txt")

    smtp.refuse_after = 1  # the server takes one mail, then refuses
    call_command("send_alerts")
    first = smtp.take()
    assert len(first) == 1
    run = AlertRun.objects.order_by("-pk").first()
    assert (run.mails, run.failures) == (1, 3)

    # The next run dies (an exception as from a killed process) after one more mail.
    smtp.refuse_after = None
    real = sending.digest
    calls = []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(sending, "digest", dying)
    with pytest.raises(RuntimeError):
        call_command("send_alerts")
    second = smtp.take()
    monkeypatch.setattr(sending, "digest", real)
    call_command("send_alerts")
    third = smtp.take()
    received = [m["To"] for m in first + second + third]
    assert sorted(received) == addresses  # each exactly once
    call_command("send_alerts")
    assert smtp.take() == []
    assert len({m["Message-ID"] for m in first + second + third}) == 4


def test_alerts_dry_run_prints_and_changes_nothing(archive, smtp, client, capsys):
    subscribed(client, smtp, "udvalg", "direktionen", "t@example.dk")
    publish("ny.txt")
    before = list(Subscription.objects.values_list("sent_up_to", flat=True))
    runs = AlertRun.objects.count()
    call_command("send_alerts", "--dry-run")
    out = capsys.readouterr().out
    assert "Til: t@example.dk" in out and "Emne: 10 nye punkter: Direktionen" in out
    assert "Prøvekørsel: 1 mails ville blive sendt" in out
    assert smtp.take() == [] and AlertRun.objects.count() == runs
    assert list(Subscription.objects.values_list("sent_up_to", flat=True)) == before
    call_command("send_alerts")
    assert [m["To"] for m in smtp.take()] == ["t@example.dk"]


def test_alerts_daily_subscription_waits_for_its_hour(archive, smtp, client, settings):
    settings.ALERT_DAILY_HOUR = 6
    subscribed(client, smtp, "udvalg", "direktionen", "dag@example.dk", frequency="dagligt")
    publish("ny.txt")
    today_six = sending.daily_since(timezone.now())
    Subscription.objects.update(checked_at=today_six + datetime.timedelta(minutes=1))
    sending.send_alerts(now=today_six + datetime.timedelta(hours=2))
    assert smtp.take() == []  # looked at after today's hour: tomorrow's mail
    sending.send_alerts(now=today_six + datetime.timedelta(days=1, minutes=5))
    assert [m["To"] for m in smtp.take()] == ["dag@example.dk"]


def test_alerts_one_confirmation_mail_per_address_an_hour(archive, smtp, client):
    assert subscribe(client, "udvalg", "direktionen", "b@example.dk").status_code == 200
    again = subscribe(client, "sag", "21-102762", "B@example.dk")
    assert again.status_code == 429
    assert "for under en time siden" in again.content.decode()
    assert len(smtp.take()) == 1 and Subscription.objects.count() == 1
    Subscription.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(minutes=61))
    assert subscribe(client, "sag", "21-102762", "b@example.dk").status_code == 200
    assert len(smtp.take()) == 1


def test_alerts_requests_per_client_are_limited(archive, smtp, client, settings):
    settings.ALERT_REQUESTS_PER_CLIENT_HOUR = 2
    statuses = [subscribe(client, "udvalg", "direktionen", f"c{n}@example.dk").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert len(smtp.take()) == 2


def test_alerts_confirmation_link_expires_and_the_request_is_purged(archive, smtp, client):
    subscribe(client, "udvalg", "direktionen", "e@example.dk")
    (message,) = smtp.take()
    Subscription.objects.update(confirmation_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    link = re.search(r"https://referater\.example(/abonnement/bekraeft/[^/\s]+/)", text_of(message)).group(1)
    response = client.post(link)
    assert response.status_code == 404 and "Linket virker ikke" in response.content.decode()
    call_command("send_alerts")
    assert not Subscription.objects.exists()
    assert AlertRun.objects.order_by("-pk").first().expired == 1


@pytest.mark.parametrize(
    "path",
    [
        "/abonnement/bekraeft/forkert/",
        "/abonnement/1:forfalsket/",
        "/abonnement/1:forfalsket/afmeld/",
        "/abonnement/%C3%A6%C3%B8%C3%A5/afmeld/",
    ],
)
def test_alerts_bad_links_are_a_danish_404(db, client, path):
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 404 and "Linket virker ikke" in response.content.decode()


def test_alerts_refuses_what_it_cannot_follow(archive, smtp, client):
    unknown = subscribe(client, "soegning", "q=budget&udvalg=Finansudvalget", "f@example.dk")
    assert unknown.status_code == 400 and "arkivet kender ikke «Finansudvalget»" in unknown.content.decode()
    assert subscribe(client, "sag", "99-999999", "f@example.dk").status_code == 400
    assert subscribe(client, "hemmelig", "x", "f@example.dk").status_code == 400
    assert subscribe(client, "soegning", "q=budget&udvalg=%00", "f@example.dk").status_code == 400
    assert subscribe(client, "soegning", "q=" + "budget+" * 2000, "f@example.dk").status_code == 400
    bad_address = subscribe(client, "udvalg", "direktionen", "ikke en adresse")
    assert bad_address.status_code == 400 and "Din e-mailadresse" in bad_address.content.decode()
    foreign = subscribe(client, "udvalg", "direktionen", "f@example.dk", HTTP_ORIGIN="https://ondt.example")
    assert foreign.status_code == 403
    assert smtp.take() == [] and not Subscription.objects.exists()


def test_alerts_forms_on_the_pages_name_what_they_follow(archive, client):
    search = client.get("/soeg/?q=bilflåde&udvalg=Direktionen&sortering=nyeste").content.decode()
    assert 'name="noegle" value="q=bilfl%C3%A5de&amp;udvalg=direktionen&amp;sortering=nyeste"' in search
    assert '<label for="alert-adresse-soegning">Din e-mailadresse</label>' in search
    assert 'name="foelger" value="udvalg"' in client.get("/udvalg/direktionen/").content.decode()
    assert 'name="noegle" value="21-102762"' in client.get("/sag/21-102762/").content.decode()
    assert (
        'name="noegle" value="michael-gravesen"' in client.get("/person/michael-gravesen/").content.decode()
    )
    unknown = client.get("/soeg/?q=budget&udvalg=Finansudvalget").content.decode()
    assert 'name="foelger"' not in unknown  # a filter left out can't be followed


def test_alerts_publications_are_forgotten_once_every_subscription_has_them(archive, smtp, client):
    subscribed(client, smtp, "udvalg", "direktionen", "p@example.dk")
    before = Publication.objects.count()  # the sample archive's items
    publish("ny.txt")
    assert Publication.objects.count() == before + 10
    call_command("send_alerts")
    assert Publication.objects.count() == 0


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium.")
def test_alerts_browser_subscribes_from_a_results_page_and_confirms_by_the_link(
    transactional_db, live_server, smtp, settings
):
    playwright = pytest.importorskip("playwright.sync_api")
    settings.SITE_URL = live_server.url
    importer.import_bytes(SAMPLE.read_bytes(), SAMPLE.name)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.goto(f"{live_server.url}/soeg/?q=bilflåde&beslutning=approved")
            page.click("summary:has-text('Følg søgningen')")
            page.get_by_label("Din e-mailadresse").fill("browser@example.dk")
            page.get_by_label("Én gang om dagen").check()
            page.click("button:has-text('Få besked på e-mail')")
            page.wait_for_selector("h1:has-text('Tjek din indbakke')")

            (message,) = smtp.take()
            link = re.search(r"http://\S+/abonnement/bekraeft/[^/\s]+/", text_of(message)).group(0)
            page.goto(link)
            page.click("button:has-text('Ja, bekræft')")
            page.wait_for_selector("h1:has-text('Abonnementet er bekræftet')")
            assert "søgningen «bilflåde» (Beslutning: Godkendt)" in page.inner_text("main")
        finally:
            browser.close()
    subscription = Subscription.objects.get()
    assert (subscription.address, subscription.frequency) == ("browser@example.dk", "dagligt")
    assert (
        subscription.confirmed_at is not None and subscription.query == "q=bilfl%C3%A5de&beslutning=approved"
    )


def test_alerts_admin_counts_per_kind_without_addresses(archive, smtp, client, admin_client):
    subscribed(client, smtp, "udvalg", "direktionen", "skjult@example.dk")
    subscribe(client, "sag", "21-102762", "venter@example.dk")
    publish("ny.txt")
    call_command("send_alerts")
    page = admin_client.get("/admin/minutes/subscription/").content.decode()
    assert "skjult@example.dk" not in page and "venter@example.dk" not in page
    cells = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Søgning Sag Udvalg Person Venter på bekræftelse 0 0 1 0 1" in cells
    assert "1 abonnementer undersøgt, 10 nye punkter, 1 mails sendt, 0 ikke sendt" in cells
    found = admin_client.get("/admin/minutes/subscription/?q=skjult@example.dk").content.decode()
    assert "1 e-mailabonnement" in found or "1 resultat" in found


def test_alerts_a_second_run_at_the_same_time_sends_nothing(transactional_db, smtp):
    with connections["default"].cursor():
        pass
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [sending.RUN_LOCK])
        assert sending.send_alerts().busy
        with other.cursor() as cursor:  # at once: a closed session's locks go when its server process ends
            cursor.execute("SELECT pg_advisory_unlock(%s)", [sending.RUN_LOCK])
    finally:
        other.close()
    assert not sending.send_alerts().busy


def test_alerts_a_killed_run_resumes_and_loses_nothing(transactional_db, smtp, client, settings):
    """send_alerts as its own process, killed (SIGKILL) as a mail reaches the server: the next run
    sends the rest. Nothing is lost; a mail the server had taken is sent again only if its mark had not
    moved yet (the mails in flight, at most two on one connection), and then with the same Message-ID."""
    importer.import_bytes(SAMPLE.read_bytes(), SAMPLE.name)
    addresses = [f"k{n}@example.dk" for n in range(6)]
    for address in addresses:
        subscribed(client, smtp, "udvalg", "direktionen", address)
    publish("ny.txt")
    environment = {
        **subprocess_environment(settings),
        "EMAIL_URL": f"smtp://{settings.EMAIL_HOST}:{settings.EMAIL_PORT}",
        "SITE_URL": settings.SITE_URL,
        "ALERT_SMTP_CONNECTIONS": "1",
    }
    command = [sys.executable, "manage.py", "send_alerts"]
    child = subprocess.Popen(command, env=environment, cwd=settings.BASE_DIR, stderr=subprocess.PIPE)
    smtp.kill_at = (child.pid, 4)
    child.wait(timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr.read().decode()
    first = smtp.take()
    assert len(first) == 3
    smtp.kill_at = None
    with connections["default"].cursor() as cursor:  # the killed run's session ends, its lock with it
        for _ in range(100):
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [sending.RUN_LOCK])
            if cursor.fetchone()[0]:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [sending.RUN_LOCK])
                break
            time.sleep(0.1)
    rerun = subprocess.run(command, env=environment, cwd=settings.BASE_DIR, capture_output=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr.decode()
    second = smtp.take()
    assert sorted({m["To"] for m in first + second}) == addresses  # nothing lost
    repeated = [m for m in second if m["To"] in {f["To"] for f in first}]
    assert len(repeated) <= 2  # only what was in flight
    for mail in repeated:
        assert mail["Message-ID"] == next(f["Message-ID"] for f in first if f["To"] == mail["To"])
    assert len(second) == len(addresses) - len(first) + len(repeated)
    assert subprocess.run(command, env=environment, cwd=settings.BASE_DIR, timeout=120).returncode == 0
    assert smtp.take() == []


def test_alerts_outbox_sends_each_mail_once_from_worker_processes(smtp):
    outbox = mails.Outbox(connections=3)
    results = []
    for n in range(10):
        mail = EmailMultiAlternatives(
            subject=f"Nr. {n} æøå", body=f"Brødtekst {n}\n", to=[f"w{n}@example.dk"]
        )
        mail.attach_alternative(f"<p>Brødtekst {n}</p>", "text/html")
        results += outbox.send(n, mail)
    assert len(multiprocessing.active_children()) == 3  # one per connection
    results += outbox.finish()
    assert sorted(results) == [(n, True) for n in range(10)]  # each answered once
    received = {m["To"]: m for m in smtp.take()}
    assert sorted(received) == sorted(f"w{n}@example.dk" for n in range(10))
    assert subject(received["w7@example.dk"]) == "Nr. 7 æøå" and html_of(received["w7@example.dk"]) == (
        "<p>Brødtekst 7</p>"
    )
    assert multiprocessing.active_children() == []


def test_alerts_outbox_replaces_a_worker_that_died(smtp):
    outbox = mails.Outbox(connections=1)
    results = outbox.send("a", EmailMultiAlternatives(subject="a", body="a", to=["a@example.dk"]))
    outbox.workers[0].process.kill()
    outbox.workers[0].process.join()
    results += outbox.send("b", EmailMultiAlternatives(subject="b", body="b", to=["b@example.dk"]))
    results += outbox.send("c", EmailMultiAlternatives(subject="c", body="c", to=["c@example.dk"]))
    results += outbox.finish()
    assert sorted(key for key, _ in results) == ["a", "b", "c"]  # each answered once
    assert ("b", False) in results and ("c", True) in results  # b died with it: the next run sends it
    assert "c@example.dk" in [m["To"] for m in smtp.take()]
    assert multiprocessing.active_children() == []
