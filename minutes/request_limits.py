"""Request bodies are refused by their declared size and sender before a byte of them is read.

Django reads a POST body the first time anything asks for ``request.POST``; the CSRF check does so
for every POST, and a multipart body's files are then streamed to temporary files. Left alone, any
client with a CSRF cookie could make the server receive and store a 100 MB body before the admin
sends it to the login page. So this middleware, placed before ``CsrfViewMiddleware``, decides from
``Content-Length`` and the user (the session is read by then, the body is not):

* a view marked ``accepts_uploads`` (the secretariat's upload) takes a body up to
  ``UPLOAD_MAX_REQUEST_BYTES``, and only from a user with the upload permission; anyone else is
  sent to the login page (or refused) unread;
* any other POST takes up to ``ANONYMOUS_MAX_BODY_BYTES`` from a client that is not logged in (a
  login form is a few hundred bytes) and ``DATA_UPLOAD_MAX_MEMORY_SIZE`` from staff (an admin form).

A body over its limit gets the Danish 413 page; a ``Content-Length`` that is not a number, 400.
Within an accepted upload, ``BoundedFileUploadHandler`` keeps no more of one file than
``UPLOAD_MAX_BYTES`` and one byte: the upload then names that file as too large, with its real size.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpResponse, HttpResponseBadRequest
from django.template import loader

from minutes.upload import PERMISSION as UPLOAD_PERMISSION

BODY_METHODS = ("POST", "PUT", "PATCH")


def accepts_uploads(view):
    """Mark a view that takes uploaded files (up to UPLOAD_MAX_REQUEST_BYTES, with the permission)."""
    view.accepts_uploads = True
    return view


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in BODY_METHODS:
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest(loader.render_to_string("400.html", request=request))
        if length < 0:
            return HttpResponseBadRequest(loader.render_to_string("400.html", request=request))
        user = request.user
        if getattr(view_func, "accepts_uploads", False):
            if not (user.is_active and user.is_staff):
                return redirect_to_login(request.get_full_path(), "admin:login")
            if not user.has_perm(UPLOAD_PERMISSION):
                raise PermissionDenied
            limit = settings.UPLOAD_MAX_REQUEST_BYTES
        elif user.is_authenticated:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        else:
            limit = settings.ANONYMOUS_MAX_BODY_BYTES
        if length > limit:
            return _too_large(request, length, limit)
        return None


def _too_large(request, length: int, limit: int) -> HttpResponse:
    context = {"size": _megabytes(length), "limit": _megabytes(limit)}
    response = HttpResponse(loader.render_to_string("413.html", context, request=request), status=413)
    response["Connection"] = "close"  # the unread body is not waited for
    return response


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


class BoundedFileUploadHandler(TemporaryFileUploadHandler):
    """Writes at most UPLOAD_MAX_BYTES + 1 bytes of each file to disk; counts the rest unstored."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        room = settings.UPLOAD_MAX_BYTES + 1 - self.received
        self.received += len(raw_data)
        if room > 0:
            self.file.write(raw_data[:room])

    def file_complete(self, file_size):
        file = super().file_complete(file_size)
        file.size = self.received  # the size as sent, so the preview names it as too large
        return file
