"""The secretariat's upload: files in, a preview of each, then publish or cancel.

Nothing is saved before "Offentliggør": the uploaded bytes wait in a private folder outside
media storage (``settings.UPLOAD_PENDING_DIR``, one folder per preview, bound to the user) and
cancelling deletes that folder. Publishing runs the importer's own code (``importer.import_bytes``,
as ``import_minutes`` does), one transaction per file: the kept source file, the meeting and the
earlier version it replaces are written together or not at all, and ends with the importer's
finishing step. A file with an error is shown
with it and never saved; the other files of the batch go on.
"""

import datetime
import hashlib
import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_http_methods

from minutes import importer, reading, sources, versions
from minutes.models import Meeting

PERMISSION = "minutes.upload_minutes"
PENDING_HOURS = 24  # previews nobody published or cancelled are removed after this long


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        """Every chosen file, empty ones too: each file's problems are reported with its name."""
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            raise forms.ValidationError("Vælg mindst én fil.", code="required")
        return files


class SuppliedForm(forms.Form):
    """What a person supplies where a document is silent: the body and the date (one file's, or all)."""

    body = forms.CharField(
        label="Udvalg",
        required=False,
        max_length=200,
        help_text="Kun hvis dokumentet ikke selv nævner udvalget (eller nævner det forkert).",
    )
    date = forms.DateField(
        label="Mødedato",
        required=False,
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # what a date input sends
        help_text="Kun hvis dokumentet ikke selv nævner datoen.",
        error_messages={"invalid": "Skriv datoen som ÅÅÅÅ-MM-DD."},
    )
    as_is = forms.BooleanField(
        label="Offentliggør det afkortede dokument, som det er (mødet vises med kun nogle punkter)",
        required=False,
    )


class UploadForm(SuppliedForm):
    files = MultipleFileField(
        label="Referater",
        help_text="En eller flere filer: tekst (.txt, .md) eller PDF med tekstlag.",
        widget=MultipleFileInput(attrs={"accept": ".txt,.md,.pdf,text/plain,text/markdown,application/pdf"}),
    )
    field_order = ["files", "body", "date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["as_is"]  # chosen per file, in the preview, once a file is seen to be cut off


@dataclass
class Pending:
    """One uploaded file waiting for publication, and what its preview found."""

    name: str  # the file name as uploaded, made safe
    size: int
    sha256: str = ""
    kind: str = ""
    error: str = ""
    status: str = ""  # "new", "identical" or "replaces"
    meeting_id: int | None = None  # the meeting it replaces or is identical to
    parsed: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stored: bool = False  # its bytes wait in the preview's folder (it can be read again)
    missing: str = ""  # what the person may supply to mend its error: "body", "date" or "as_is"
    body: str = ""  # what the person supplied ("" for nothing)
    date: str = ""  # ISO date
    as_is: bool = False
    found: dict = field(default_factory=dict)  # body and date the reader found, when the file has an error
    changes: list[str] = field(default_factory=list)  # what a replacement changes, in Danish

    def supplied(self) -> dict:
        return {
            "body": self.body or None,
            "date": datetime.date.fromisoformat(self.date) if self.date else None,
            "as_is": self.as_is,
        }


def staff_with_permission(view):
    """Staff login (the admin's) first, then the upload permission: 403 without it."""

    def check(request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(check)


@require_http_methods(["GET", "POST"])
def upload(request):
    _remove_stale_previews()
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        token = secrets.token_urlsafe(16)
        folder = _pending_dir(token)
        folder.mkdir(parents=True)
        supplied = form.cleaned_data
        files = [
            _receive(upload, folder / f"{i}.bin", supplied) for i, upload in enumerate(supplied["files"])
        ]
        _write_manifest(folder, request.user.pk, files)
        return redirect("upload_preview", token=token)
    return render(request, "admin/minutes/upload.html", _context(request, form=form))


@require_http_methods(["GET", "POST"])
def preview(request, token):
    """The files as they will be published; a POST reads them again with what the person supplied."""
    folder, files = _load(request, token)
    if request.method == "POST":
        _read_again(folder, files, request.POST)
        _write_manifest(folder, request.user.pk, files)
        return redirect("upload_preview", token=token)
    shown = []
    for i, pending in enumerate(files):
        form = None
        if pending.stored and (not pending.error or pending.missing):
            form = SuppliedForm(initial=_initial(pending), prefix=str(i))
        shown.append({**asdict(pending), "form": form})
    publishable = any(not f.error and f.status != "identical" for f in files)
    context = _context(request, token=token, files=shown, publishable=publishable)
    return render(request, "admin/minutes/upload_preview.html", context)


@require_http_methods(["POST"])
def publish(request, token):
    folder, files = _load(request, token)
    if _read_again(folder, files, request.POST):  # changed fields: show the result before publishing
        _write_manifest(folder, request.user.pk, files)
        messages.warning(request, "Forhåndsvisningen er læst igen med dine rettelser. Kontrollér den igen.")
        return redirect("upload_preview", token=token)
    published, not_published = [], []
    for i, pending in enumerate(files):
        if pending.error:
            not_published.append(f"{pending.name} (fejl)")
            continue
        if pending.status == "identical":
            not_published.append(f"{pending.name} (identisk med det offentliggjorte)")
            continue
        data = (folder / f"{i}.bin").read_bytes()
        try:
            published.append(_publish(data, pending, request.user))
        except importer.ImportFailure as error:
            messages.error(request, f"{pending.name} blev ikke offentliggjort: {error}")
    shutil.rmtree(folder, ignore_errors=True)
    if published:
        importer.finish_run()
    for meeting in published:
        link = format_html(
            'Offentliggjort: <a href="{}">{}, møde {}</a>.',
            reverse("minutes:meeting_detail", args=[meeting.pk]),
            meeting.body.name,
            f"{meeting.date:%d.%m.%Y}",
        )
        messages.success(request, link)
    if not_published:
        messages.warning(request, "Ikke offentliggjort: " + ", ".join(not_published) + ".")
    return redirect("upload")


@require_http_methods(["POST"])
def cancel(request, token):
    folder, _ = _load(request, token)
    shutil.rmtree(folder, ignore_errors=True)
    messages.info(request, "Upload annulleret. Intet er gemt.")
    return redirect("upload")


def _receive(upload, path: Path, supplied: dict) -> Pending:
    """Check one uploaded file and preview it; its bytes wait in ``path`` to be published or read again."""
    name = get_valid_filename(Path(upload.name).name) or "referat"
    pending = Pending(name=name, size=upload.size)
    if upload.size > settings.UPLOAD_MAX_BYTES:  # refused before reading it
        reason = sources.too_large(upload.size, settings.UPLOAD_MAX_BYTES)
        pending.error = str(sources.SourceError(name, reason))
        return pending
    data = b"".join(upload.chunks())
    pending.sha256 = hashlib.sha256(data).hexdigest()
    pending.body = supplied.get("body") or ""
    pending.date = supplied["date"].isoformat() if supplied.get("date") else ""
    path.write_bytes(data)
    pending.stored = True
    _preview(pending, data)
    return pending


def _preview(pending: Pending, data: bytes) -> None:
    """Read the file as the importer will, with what the person supplied, and note what it found."""
    pending.error, pending.missing, pending.parsed, pending.warnings, pending.status = "", "", {}, [], ""
    pending.meeting_id, pending.changes = None, []
    try:
        result = importer.read(data, pending.name, **pending.supplied())
    except importer.ImportFailure as error:
        pending.error, pending.missing, pending.found = str(error), error.missing, error.found
        return
    parsed, pending.kind = result.meeting, result.kind
    pending.parsed = reading.meeting_to_json(parsed)
    pending.warnings = versions.review(pending.parsed, list(parsed.contents), list(parsed.warnings))
    _compare(pending, parsed, result.sha256)


def _initial(pending: Pending) -> dict:
    """The fields as the person supplied them, or as the reader found them."""
    date = pending.date or pending.parsed.get("date") or pending.found.get("date")
    return {
        "body": pending.body or pending.parsed.get("body") or pending.found.get("body") or "",
        "date": datetime.date.fromisoformat(date) if date else None,
        "as_is": pending.as_is,
    }


def _read_again(folder: Path, files: list[Pending], post) -> bool:
    """Read again each file whose fields the person changed; whether any was."""
    changed = False
    for i, pending in enumerate(files):
        if not pending.stored or f"{i}-body" not in post:  # (its fields were not shown)
            continue
        form = SuppliedForm(post, prefix=str(i), initial=_initial(pending))
        if not form.has_changed():
            continue
        changed = True
        if not form.is_valid():
            problems = " ".join(e for errors in form.errors.values() for e in errors)
            pending.error, pending.missing = f"{pending.name}: {problems}", pending.missing or "date"
            continue
        # What the person wrote is used (a blanked field: what the document says).
        pending.body = form.cleaned_data["body"].strip()
        pending.date = form.cleaned_data["date"].isoformat() if form.cleaned_data["date"] else ""
        pending.as_is = form.cleaned_data["as_is"]
        _preview(pending, (folder / f"{i}.bin").read_bytes())
    return changed


def _compare(pending: Pending, parsed: reading.Meeting, sha256: str) -> None:
    """New meeting, identical to the published one, or a replacement of it (of its items, for an
    item page), found as the importer finds it."""
    existing, parsed = importer.find_meeting(parsed)
    if existing is None:
        pending.status = "new"
        return
    pending.meeting_id = existing.pk
    identical = importer.is_unchanged(existing, parsed, sha256)
    pending.status = "identical" if identical else "replaces"
    before = versions.snapshot(existing)
    if parsed.single_item:  # only the page's items change; compare with those
        numbers = {item.number for item in parsed.items}
        before["items"] = [item for item in before["items"] if item["number"] in numbers]
    pending.changes = versions.describe(versions.diff(before, reading.meeting_to_json(parsed)))
    if existing.hand_edited_at and not identical:
        pending.warnings.append(
            "Mødet er rettet i hånden i administrationen. Rettelserne erstattes af den nye fil, "
            "men gemmes i den tidligere version, som kan ses under mødets versioner."
        )


def _publish(data: bytes, pending: Pending, user) -> Meeting:
    """Import the file through the importer's one path, which keeps the file with the meeting."""
    outcome = importer.import_bytes(data, pending.name, keep_file=True, user=user, **pending.supplied())
    return Meeting.objects.select_related("body").get(pk=outcome.meeting_id)


def _context(request, **extra):
    return {**admin.site.each_context(request), "title": "Upload referater", **extra}


TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)


def _pending_dir(token: str) -> Path:
    if not TOKEN.fullmatch(token):  # never a path component the file system may refuse
        raise Http404("Ukendt upload")
    return Path(settings.UPLOAD_PENDING_DIR) / token


def _write_manifest(folder: Path, user_id: int, files: list[Pending]) -> None:
    manifest = {"user": user_id, "files": [asdict(f) for f in files]}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _load(request, token: str) -> tuple[Path, list[Pending]]:
    """The preview's folder and files; only the user who uploaded them may see or publish them."""
    folder = _pending_dir(token)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Http404("Uploaden findes ikke (offentliggjort, annulleret eller udløbet)") from None
    if manifest["user"] != request.user.pk:
        raise PermissionDenied
    return folder, [Pending(**f) for f in manifest["files"]]


def _remove_stale_previews() -> None:
    root = Path(settings.UPLOAD_PENDING_DIR)
    if not root.is_dir():
        return
    limit = time.time() - PENDING_HOURS * 3600
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)
