"""Request bodies are refused by size and sender before they are read (minutes/request_limits.py)."""

import io

import pytest
from django.contrib.auth.models import User
from django.test import Client

from minutes import importer

MB = 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A request body the server must not read: reading it fails the test."""

    def read(self, *args):
        raise AssertionError("the server read a body it should have refused unread")

    readline = read


def post_declaring(client, path, length, content_type="multipart/form-data; boundary=xyz"):
    """A POST whose Content-Length says ``length`` bytes, with a body that may not be read."""
    return client.generic(
        "POST",
        path,
        b"",
        content_type=content_type,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadableBody()},
    )


def test_anonymous_upload_is_sent_to_the_login_page_unread(db):
    client = Client()
    client.get("/admin/login/")  # a CSRF cookie, as an attacker would have
    response = post_declaring(client, "/admin/upload/", 100 * MB)
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_staff_without_the_permission_is_refused_unread(db):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_user("kollega", password="x-123456789", is_staff=True))
    assert post_declaring(client, "/admin/upload/", 100 * MB).status_code == 403


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/minutes/meeting/", "/soeg/", "/api/search"])
def test_a_large_anonymous_body_anywhere_is_refused_unread(db, path):
    response = post_declaring(Client(), path, 1 * MB)
    assert response.status_code == 413
    html = response.content.decode()
    assert '<html lang="da">' in html and "Det sendte er for stort" in html and "1,0 MB" in html


def test_an_upload_larger_than_the_request_limit_is_refused_unread(secretary, settings):
    settings.UPLOAD_MAX_REQUEST_BYTES = 5 * MB
    response = post_declaring(secretary, "/admin/upload/", 6 * MB)
    assert response.status_code == 413
    assert "fylder 6,0 MB, og arkivet tager højst imod 5,0 MB" in response.content.decode()


def test_a_content_length_that_is_not_a_number_is_a_400(db):
    response = post_declaring(Client(raise_request_exception=False), "/admin/login/", "mange")
    assert response.status_code == 400


def test_a_file_over_the_limit_is_named_with_its_size_and_not_kept(secretary, settings):
    settings.UPLOAD_MAX_BYTES = 100_000
    big = io.BytesIO(b"REFERAT Direktionen d. 02-04-2024\n" + b"x" * 300_000)
    big.name = "stort.txt"
    good = io.BytesIO((importer.SAMPLE_DIR / "000_fca47c908a356a01.txt").read_bytes())
    good.name = "godt.txt"
    response = secretary.post("/admin/upload/", {"files": [big, good]})
    html = secretary.get(response.url).content.decode()
    assert "stort.txt: filen er for stor (0,3 MB; højst 0,1 MB)" in html
    assert "Nyt møde: oprettes ved offentliggørelse." in html  # the other file goes on
    kept = sorted(p.name for p in settings.UPLOAD_PENDING_DIR.rglob("*.bin"))
    assert kept == ["1.bin"]  # only the good file waits for publication


@pytest.mark.parametrize(
    ("token", "status"), [("x" * 5000, 404), ("a" * 21, 404), ("../../etc", 404), ("%00" * 30, 400)]
)
def test_an_odd_upload_token_is_a_404(secretary, token, status):
    """A NUL is refused for every URL (bad_requests.py); any other odd token finds no upload."""
    for suffix in ("", "offentliggoer/", "annuller/"):
        method = secretary.get if not suffix else secretary.post
        assert method(f"/admin/upload/{token}/{suffix}").status_code == status
