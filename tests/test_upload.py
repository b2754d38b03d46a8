"""The secretariat's upload: permission, preview, errors per file, publish, cancel, versions."""

import io
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils.html import escape
from reportlab.pdfgen import canvas

from minutes import importer, reading
from minutes.models import AgendaItem, Meeting, MeetingVersion, SourceFile

SAMPLES = sorted(importer.SAMPLE_DIR.glob("*.txt"))


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_PENDING_DIR = tmp_path / "pending"
    return tmp_path


def upload_file(name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name
    return file


def preview(client, *files):
    """Upload files; returns (preview HTML, preview URL)."""
    response = client.post("/admin/upload/", {"files": [upload_file(n, d) for n, d in files]})
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response.url).content.decode(), response.url


def files_in(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def blank_pdf() -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.rect(100, 100, 200, 200, fill=1)  # a "scan": shapes, no text
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def test_only_staff_with_the_permission_may_upload(db):
    anonymous = Client().get("/admin/upload/")
    assert anonymous.status_code == 302 and anonymous.url.startswith("/admin/login/")
    staff = User.objects.create_user("kollega", password="x-123456789", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/upload/").status_code == 403
    citizen = User.objects.create_user("borger", password="x-123456789")
    client.force_login(citizen)
    assert client.get("/admin/upload/").url.startswith("/admin/login/")


def test_upload_is_csrf_protected(secretary):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary.user)
    response = client.post("/admin/upload/", {"files": [upload_file("a.txt", SAMPLES[0].read_bytes())]})
    assert response.status_code == 403


def test_preview_shows_the_meeting_and_saves_nothing(secretary, storage):
    html, _ = preview(secretary, ("referat.txt", SAMPLES[2].read_bytes()))
    assert "Nyt møde: oprettes ved offentliggørelse." in html
    assert "Direktionen, " in html and "punkter</caption>" in html
    parsed = importer.read(SAMPLES[2].read_bytes(), "referat.txt").meeting
    for item in parsed.items:
        assert f"<td>{item.number}</td>" in html and escape(item.title) in html
    assert Meeting.objects.count() == 0 and SourceFile.objects.count() == 0
    assert files_in(storage / "media") == []


def test_publish_keeps_the_file_and_the_meeting_is_found_at_once(secretary, storage, client):
    data = SAMPLES[2].read_bytes()
    _, url = preview(secretary, ("referat 2024.txt", data))
    response = secretary.post(url + "offentliggoer/")
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    source = meeting.source_file
    assert source.uploaded_by == secretary.user and source.original_name == "referat_2024.txt"
    assert source.file.read() == data and source.kind == "text"
    assert files_in(storage / "pending") == []
    item = meeting.items.exclude(decision="").first()
    word = re.findall(r"\w{6,}", item.title)[0]
    assert f"/punkt/{item.pk}/" in client.get("/soeg/", {"q": word}).content.decode()
    page = client.get(f"/moede/{meeting.pk}/").content.decode()
    # the original referat is offered under the name it was uploaded with
    assert (
        "Hent referatet som offentliggjort: referat 2024.txt" in page
        or "offentliggjort: referat_2024.txt" in page
    )


def test_cancel_leaves_nothing_behind(secretary, storage):
    _, url = preview(secretary, ("a.txt", SAMPLES[0].read_bytes()), ("b.txt", SAMPLES[1].read_bytes()))
    assert files_in(storage / "pending")
    secretary.post(url + "annuller/")
    assert files_in(storage / "pending") == [] and files_in(storage / "media") == []
    assert Meeting.objects.count() == 0 and SourceFile.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tom.txt", b"", "tom"),
        ("billede.txt", b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
        ("binaer.md", b"\x00\x01\x02" * 100, "ikke tekst"),
        ("scannet.pdf", None, "tekstlag"),
        ("noter.txt", "Huskeliste\nKøb mælk\n".encode(), "noter.txt:"),
    ],
)
def test_a_bad_file_is_reported_by_name_and_the_others_go_on(secretary, storage, name, data, message):
    data = blank_pdf() if data is None else data
    html, url = preview(secretary, (name, data), ("godt.txt", SAMPLES[0].read_bytes()))
    errors = re.findall(r'<ul class="errorlist"><li>Fejl: (.*?)</li>', html)
    assert len(errors) == 1 and errors[0].startswith(name) and message.lower() in errors[0].lower()
    assert html.index(name) < html.index("Fejl:") < html.index("godt.txt")
    secretary.post(url + "offentliggoer/")
    assert [s.original_name for s in SourceFile.objects.all()] == ["godt.txt"]
    assert Meeting.objects.count() == 1


def test_too_large_file_is_refused_before_it_is_read(secretary, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    html, _ = preview(secretary, ("stor.txt", SAMPLES[0].read_bytes()))
    assert "stor.txt: filen er for stor" in html


def test_file_names_are_made_safe(secretary):
    html, url = preview(secretary, ("../../<b>x</b>.txt", SAMPLES[0].read_bytes()))
    assert "<b>x</b>" not in html
    secretary.post(url + "offentliggoer/")
    stored = SourceFile.objects.get()
    assert "/" not in stored.original_name and "<" not in stored.original_name
    assert ".." not in stored.file.name


def test_the_same_file_again_is_identical_and_nothing_is_done(secretary):
    data = SAMPLES[0].read_bytes()
    importer.import_bytes(data, "første.txt")
    html, url = preview(secretary, ("igen.txt", data))
    assert "Identisk med det offentliggjorte møde" in html
    assert 'value="Offentliggør" disabled' in html
    secretary.post(url + "offentliggoer/")
    assert SourceFile.objects.count() == 0 and MeetingVersion.objects.count() == 0


def test_a_replacement_shows_its_changes_and_keeps_the_earlier_version(secretary, client):
    original = SAMPLES[2].read_bytes().decode("utf-8")
    importer.import_bytes(original.encode(), "første.txt")
    meeting = Meeting.objects.get()
    item = meeting.items.exclude(decision="").order_by("number").first()
    old_decision = item.decision
    changed = original.replace(old_decision.split()[-1], old_decision.split()[-1] + " med ændringer", 1)
    assert changed != original
    html, url = preview(secretary, ("rettet.txt", changed.encode()))
    assert "Erstatter det offentliggjorte møde" in html
    last = old_decision.split()[-1]
    new_decision = old_decision.replace(last, last + " med ændringer", 1)
    change = f"Punkt {item.number} ({item.title}): ændret: beslutning «{old_decision}» → «{new_decision}»"
    assert escape(change) in html
    secretary.post(url + "offentliggoer/")
    meeting.refresh_from_db()
    version = meeting.versions.get()
    assert version.source_name == "første.txt" and version.replaced_by == secretary.user
    assert old_decision in [i["decision"] for i in version.content["items"]]
    assert meeting.replaced_at and meeting.source_file.original_name == "rettet.txt"
    assert "med ændringer" in AgendaItem.objects.get(meeting=meeting, number=item.number).decision
    assert (
        "Kommunen har offentliggjort en rettet udgave af referatet"
        in client.get(f"/moede/{meeting.pk}/").content.decode()
    )


def test_hand_corrections_are_warned_about_and_kept_in_the_version(secretary):
    original = SAMPLES[2].read_bytes().decode("utf-8")
    importer.import_bytes(original.encode(), "første.txt")
    meeting = Meeting.objects.get()
    item = meeting.items.order_by("number").first()
    item.title = "Rettet i hånden"
    item.save()
    Meeting.objects.filter(pk=meeting.pk).update(hand_edited_at="2026-11-01T10:00:00Z")
    html, url = preview(secretary, ("ny.txt", original.replace("Direktionen", "Direktionen ", 1).encode()))
    assert "rettet i hånden" in html
    secretary.post(url + "offentliggoer/")
    version = Meeting.objects.get().versions.get()
    assert version.hand_edited_at and "Rettet i hånden" in [i["title"] for i in version.content["items"]]


def test_a_preview_belongs_to_its_uploader(secretary, db):
    _, url = preview(secretary, ("a.txt", SAMPLES[0].read_bytes()))
    other = User.objects.create_user("anden", password="x-123456789", is_staff=True)
    other.user_permissions.add(Permission.objects.get(codename="upload_minutes"))
    client = Client()
    client.force_login(other)
    assert client.get(url).status_code == 403
    assert client.post(url + "offentliggoer/").status_code == 403
    assert Meeting.objects.count() == 0


def test_a_pdf_is_published_with_its_text_and_the_pdf_is_kept(secretary):
    from tests.test_sources import referat_pdf

    text = reading.decode(SAMPLES[1].read_bytes())
    pdf = referat_pdf(text)
    html, url = preview(secretary, ("referat.pdf", pdf))
    assert "Nyt møde" in html and "Fejl:" not in html
    secretary.post(url + "offentliggoer/")
    meeting = Meeting.objects.get()
    assert meeting.source_file.kind == "pdf" and meeting.source_file.file.read() == pdf
    expected = importer.read(SAMPLES[1].read_bytes(), "x").meeting
    assert [(i.number, i.title) for i in meeting.items.order_by("number")] == [
        (i.number, i.title) for i in expected.items
    ]


def test_a_form_without_files_says_so(secretary):
    response = secretary.post("/admin/upload/", {})
    assert response.status_code == 200 and "Vælg mindst én fil." in response.content.decode()


def test_the_admin_shows_a_meetings_versions_and_what_changed(admin_client):
    original = SAMPLES[2].read_bytes().decode("utf-8")
    importer.import_bytes(original.encode(), "første.txt")
    meeting = Meeting.objects.get()
    item = meeting.items.exclude(decision="").order_by("number").first()
    last_word = item.decision.split()[-1]
    importer.import_bytes(original.replace(last_word, last_word + " og mere", 1).encode(), "anden.txt")
    version = meeting.versions.get()
    page = admin_client.get(f"/admin/minutes/meeting/{meeting.pk}/change/").content.decode()
    assert f"/admin/minutes/meetingversion/{version.pk}/change/" in page and "første.txt" in page
    detail = admin_client.get(f"/admin/minutes/meetingversion/{version.pk}/change/").content.decode()
    new = item.decision.replace(last_word, last_word + " og mere", 1)
    change = f"Punkt {item.number} ({item.title}): ændret: beslutning «{item.decision}» → «{new}»"
    assert escape(change) in detail


def test_an_item_too_large_for_the_search_index_is_an_error_in_the_preview(secretary, storage):
    from tests.test_importer import huge_item_referat

    files = [("stor.txt", huge_item_referat(60_000)), ("godt.txt", SAMPLES[1].read_bytes())]
    html, url = preview(secretary, *files)
    errors = re.findall(r'<ul class="errorlist"><li>Fejl: (.*?)</li>', html)
    assert len(errors) == 1 and errors[0].startswith("stor.txt:1: punkt 1 er for langt til søgeindekset")
    assert "Nyt møde" in html.split("stor.txt", 1)[1].split("godt.txt", 1)[1]  # only the good file is new
    secretary.post(url + "offentliggoer/")
    assert [s.original_name for s in SourceFile.objects.all()] == ["godt.txt"]


def test_publishing_ends_as_every_write_does(secretary, settings, client):
    """The upload's publication runs the importer's finishing step: the page cache is emptied and the
    new words are known to compound search (and the bodies analysed) at once."""
    settings.PAGE_CACHE_SECONDS = 300
    importer.import_bytes(SAMPLES[0].read_bytes(), "a.txt")
    importer.finish_run()
    client.get("/udvalg/")
    assert client.get("/udvalg/")["X-Cache"] == "hit"
    _, url = preview(secretary, ("b.txt", SAMPLES[4].read_bytes()))
    secretary.post(url + "offentliggoer/")
    assert client.get("/udvalg/")["X-Cache"] == "miss"
    assert not Meeting.objects.filter(terms_pending=True).exists()


def test_a_kept_file_is_written_with_its_meeting_and_only_then(secretary, storage, monkeypatch):
    """The provenance is written by the importer's store, in the meeting's transaction: a failure
    while storing the meeting leaves neither a SourceFile row nor a stored file."""
    _, url = preview(secretary, ("a.txt", SAMPLES[0].read_bytes()))

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure after the file was kept")

    monkeypatch.setattr(importer, "_write_children", broken)
    with pytest.raises(RuntimeError):
        secretary.post(url + "offentliggoer/")
    assert SourceFile.objects.count() == 0 and Meeting.objects.count() == 0
    assert files_in(storage / "media") == []


def test_a_document_without_its_body_asks_for_it_in_the_preview_and_is_published_with_it(secretary, client):
    from tests.test_importer import item_page

    html, url = preview(secretary, ("punkt.txt", item_page("Forslag om nye cykelstier", "Godkendt.")))
    assert "punkt.txt:1: dokumentet nævner ikke, hvilket udvalg der holdt mødet" in html
    assert 'name="0-body"' in html and '<label for="id_0-body">Udvalg:</label>' in html
    assert 'value="2018-05-08"' in html  # the date the reader found, filled in
    response = secretary.post(url, {"0-body": "Teknik- og Miljøudvalget", "0-date": "2018-05-08"})
    assert response.status_code == 302 and response.url == url
    html = secretary.get(url).content.decode()
    assert "Fejl:" not in html and "Nyt møde: oprettes ved offentliggørelse." in html
    assert "et enkelt punkt; det indsættes i mødet" in html
    secretary.post(url + "offentliggoer/", {"0-body": "Teknik- og Miljøudvalget", "0-date": "2018-05-08"})
    meeting = Meeting.objects.get()
    assert meeting.body.name == "Teknik- og Miljøudvalget" and meeting.partial
    page = client.get(f"/moede/{meeting.pk}/").content.decode()
    assert "Kun nogle af punkterne." in page


def test_changed_fields_are_previewed_again_before_anything_is_published(secretary):
    html, url = preview(secretary, ("referat.txt", SAMPLES[0].read_bytes()))
    assert 'value="Direktionen"' in html
    response = secretary.post(url + "offentliggoer/", {"0-body": "Økonomiudvalget", "0-date": "2024-04-02"})
    assert response.status_code == 302 and response.url == url
    assert Meeting.objects.count() == 0
    html = secretary.get(url).content.decode()
    assert "Økonomiudvalget, 2. april 2024" in html
    assert "Dokumentet nævner udvalget «Direktionen»; det angivne «Økonomiudvalget» er brugt." in html
    secretary.post(url + "offentliggoer/", {"0-body": "Økonomiudvalget", "0-date": "2024-04-02"})
    assert Meeting.objects.get().body.name == "Økonomiudvalget"


def test_a_cut_off_document_is_published_only_when_chosen(secretary):
    from tests.test_importer import LAYOUTS

    html, url = preview(secretary, ("afkortet.txt", (LAYOUTS / "cut_off.txt").read_bytes()))
    assert "dokumentet er afkortet; det mangler punkterne 3. Budget 2020; 4. Eventuelt" in html
    assert 'name="0-as_is"' in html and 'value="Offentliggør" disabled' in html
    fields = {"0-body": "Kulturudvalget", "0-date": "2019-08-27", "0-as_is": "on"}
    secretary.post(url, fields)
    html = secretary.get(url).content.decode()
    assert "Fejl:" not in html and "2 punkter</caption>" in html
    secretary.post(url + "offentliggoer/", fields)
    assert Meeting.objects.get().partial


def test_the_preview_of_a_normal_referat_warns_only_about_what_needs_a_look(secretary):
    html, _ = preview(secretary, ("referat.txt", SAMPLES[0].read_bytes()))
    warnings = re.findall(r'<li class="warning">(.*?)</li>', html)
    # The table of contents writes "Lukket: …" before closed items; the headings don't: no warning.
    assert not [w for w in warnings if "indholdsfortegnelsen" in w]
    assert len(warnings) <= 1, warnings


def test_the_preview_shows_each_items_text_as_the_public_page_will(secretary):
    html, _ = preview(secretary, ("referat.txt", SAMPLES[0].read_bytes()))
    parsed = importer.read(SAMPLES[0].read_bytes(), "x").meeting
    item = next(item for item in parsed.items if item.presentation and not item.closed)
    assert f"<summary>Punkt {item.number}: {escape(item.title)}</summary>" in html
    assert "<h5>Sagsfremstilling</h5>" in html
    assert escape(item.presentation.split("\n")[0]) in html


def test_after_publishing_the_meeting_is_one_click_away_and_skipped_files_are_no_success(secretary):
    _, url = preview(secretary, ("godt.txt", SAMPLES[0].read_bytes()), ("tom.txt", b""))
    response = secretary.post(url + "offentliggoer/", follow=True)
    html = response.content.decode()
    meeting = Meeting.objects.get()
    assert f'<li class="success">Offentliggjort: <a href="/moede/{meeting.pk}/">Direktionen, møde' in html
    assert '<li class="warning">Ikke offentliggjort: tom.txt (fejl).</li>' in html
