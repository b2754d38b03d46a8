"""The secretariat's upload: files in, a preview of each, then publish or cancel.

Nothing is saved before "Offentliggør": the uploaded bytes wait in a private folder outside
media storage (``settings.UPLOAD_PENDING_DIR``, one folder per preview, bound to the user) and
cancelling deletes that folder. Publishing runs the importer's own code (``importer.import_bytes``,
as ``import_minutes`` does), one transaction per file: the kept source file, the meeting and the
earlier version it replaces are written together or not at all. A file with an error is shown
with it and never saved; the other files of the batch go on.
"""

import hashlib
import json
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_http_methods

from minutes import importer, reading, search, sources, versions
from minutes.models import Body, Meeting, SourceFile

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


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Referater",
        help_text="En eller flere filer: tekst (.txt, .md) eller PDF med tekstlag.",
        widget=MultipleFileInput(attrs={"accept": ".txt,.md,.pdf,text/plain,text/markdown,application/pdf"}),
    )


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
        files = [_receive(upload, folder / f"{i}.bin") for i, upload in enumerate(form.cleaned_data["files"])]
        _write_manifest(folder, request.user.pk, files)
        return redirect("upload_preview", token=token)
    return render(request, "admin/minutes/upload.html", _context(request, form=form))


@require_http_methods(["GET"])
def preview(request, token):
    folder, files = _load(request, token)
    shown = []
    for pending in files:
        changes = None
        if pending.status == "replaces" and (
            meeting := Meeting.objects.filter(pk=pending.meeting_id).first()
        ):
            changes = versions.describe(versions.diff(versions.snapshot(meeting), pending.parsed))
        shown.append({**asdict(pending), "changes": changes})
    publishable = any(not f.error and f.status != "identical" for f in files)
    context = _context(request, token=token, files=shown, publishable=publishable)
    return render(request, "admin/minutes/upload_preview.html", context)


@require_http_methods(["POST"])
def publish(request, token):
    folder, files = _load(request, token)
    published = []
    for i, pending in enumerate(files):
        if pending.error or pending.status == "identical":
            continue
        data = (folder / f"{i}.bin").read_bytes()
        try:
            published.append(_publish(data, pending, request.user))
        except (importer.ImportFailure, sources.SourceError) as error:
            messages.error(request, f"{pending.name} blev ikke offentliggjort: {error}")
    shutil.rmtree(folder, ignore_errors=True)
    if published:
        search.record_pending_terms()
    for meeting in published:
        messages.success(request, f"Offentliggjort: {meeting.body.name}, møde {meeting.date:%d.%m.%Y}.")
    skipped = sum(1 for pending in files if pending.error or pending.status == "identical")
    if skipped:
        messages.info(request, f"{skipped} fil(er) med fejl eller uden ændringer blev ikke gemt.")
    return redirect("upload")


@require_http_methods(["POST"])
def cancel(request, token):
    folder, _ = _load(request, token)
    shutil.rmtree(folder, ignore_errors=True)
    messages.info(request, "Upload annulleret. Intet er gemt.")
    return redirect("upload")


def _receive(upload, path: Path) -> Pending:
    """Check one uploaded file and preview it; its bytes wait in ``path`` only if it has no error."""
    name = get_valid_filename(Path(upload.name).name) or "referat"
    pending = Pending(name=name, size=upload.size)
    if upload.size > settings.UPLOAD_MAX_BYTES:  # refused before reading it
        pending.error = str(sources.SourceError(name, _too_large(upload.size)))
        return pending
    data = b"".join(upload.chunks())
    pending.sha256 = hashlib.sha256(data).hexdigest()
    try:
        text, pending.kind = sources.referat_bytes(data, name, max_bytes=settings.UPLOAD_MAX_BYTES)
        _, parsed = importer.read(text, name)
    except (sources.SourceError, importer.ImportFailure) as error:
        pending.error = str(error)
        return pending
    pending.parsed = reading.meeting_to_dict(parsed)
    pending.warnings = versions.review(pending.parsed, list(parsed.contents), list(parsed.warnings))
    _compare(pending, parsed, hashlib.sha256(text).hexdigest())
    path.write_bytes(data)
    return pending


def _too_large(size: int) -> str:
    limit = settings.UPLOAD_MAX_BYTES / 1024 / 1024
    return f"filen er for stor ({size / 1024 / 1024:.1f} MB; højst {limit:.1f} MB)".replace(".", ",")


def _compare(pending: Pending, parsed: reading.Meeting, sha256: str) -> None:
    """New meeting, identical to the published one, or a replacement of it."""
    existing = Meeting.objects.filter(
        body__in=Body.objects.filter(name=parsed.body), date=parsed.date, start_time=parsed.start_time
    ).first()
    if existing is None:
        pending.status = "new"
        return
    pending.meeting_id = existing.pk
    identical = (existing.source_sha256, existing.parse_digest) == (sha256, importer.parse_digest(parsed))
    pending.status = "identical" if identical else "replaces"
    if existing.hand_edited_at and not identical:
        pending.warnings.append(
            "Mødet er rettet i hånden i administrationen. Rettelserne erstattes af den nye fil, "
            "men gemmes i den tidligere version, som kan ses under mødets versioner."
        )


def _publish(data: bytes, pending: Pending, user) -> Meeting:
    """Keep the file and import it, in one transaction; the stored file is removed if that fails."""
    text, kind = sources.referat_bytes(data, pending.name, max_bytes=settings.UPLOAD_MAX_BYTES)
    stored = None
    try:
        with transaction.atomic():
            source = SourceFile(
                original_name=pending.name,
                kind=kind,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=user,
            )
            source.file.save(pending.name, ContentFile(data), save=False)
            stored = source.file.name
            source.save()
            outcome = importer.import_bytes(text, pending.name, source_file=source, user=user)
            return Meeting.objects.select_related("body").get(pk=outcome.meeting_id)
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise


def _context(request, **extra):
    return {**admin.site.each_context(request), "title": "Upload referater", **extra}


def _pending_dir(token: str) -> Path:
    if not token.replace("-", "").replace("_", "").isalnum():
        raise PermissionDenied
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
        raise PermissionDenied from None
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
