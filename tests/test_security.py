"""Production settings and security: check --deploy, headers, CSP, login throttling, request bounds."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client

from minutes import search

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "arkiv.kalundborg.dk",
}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_environment():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_without_https_settings():
    # The check is real: turning the protections off is reported.
    result = manage("check", "--deploy", **PRODUCTION_ENV, SECURE_HSTS_SECONDS="0", SECURE_COOKIES="false")
    assert "security.W004" in result.stderr + result.stdout  # HSTS
    assert "security.W012" in result.stderr + result.stdout  # session cookie over HTTP


def test_production_redirects_plain_http_to_https():
    result = manage(
        "shell",
        "-c",
        "from django.test import Client; r = Client().get('/robots.txt', HTTP_HOST='arkiv.kalundborg.dk');"
        " print(r.status_code, r['Location'])",
        **PRODUCTION_ENV,
    )
    assert result.stdout.split()[-2:] == ["301", "https://arkiv.kalundborg.dk/robots.txt"], result.stderr


@pytest.fixture
def production(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.mark.parametrize("path", ["/", "/soeg/?q=budget", "/api/search?q=budget", "/admin/login/"])
def test_pages_send_the_security_headers(client, archive, production, path):
    response = client.get(path, secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_login_cookies_are_https_only(production, db):
    User.objects.create_superuser("admin", password="rigtig-adgangskode-1")
    client = Client()
    client.get("/admin/login/", secure=True)
    response = client.post(
        "/admin/login/",
        {
            "username": "admin",
            "password": "rigtig-adgangskode-1",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
        secure=True,
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] and response.cookies["sessionid"]["httponly"]
    assert client.cookies["csrftoken"]["secure"]


def test_templates_have_no_inline_script_or_style():
    # The Content-Security-Policy allows neither; an inline one would silently not apply. The alerts'
    # mails (templates/minutes/alerts/) are no pages: mail programs read only inline styles.
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)|<style|\sstyle=|\son[a-z]+=")
    mails = ROOT / "templates" / "minutes" / "alerts"
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "templates").rglob("*.html")
        if mails not in path.parents
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if inline.search(line)
    ]
    assert offenders == []


def login(client, password, ip="203.0.113.7", username="admin"):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("admin", password="rigtig-adgangskode-1")


def test_admin_login_locks_out_after_repeated_wrong_passwords(client, admin_user):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, "forkert")
        assert response.status_code == 200
        assert "errornote" in response.content.decode()  # the admin's "wrong user name or password"
    response = login(client, "forkert")
    assert response.status_code == 429
    assert "Login midlertidigt spærret" in response.content.decode()
    assert "15 minutter" in response.content.decode()
    # Now even the right password is refused from that address, without being checked.
    response = login(client, "rigtig-adgangskode-1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_address(client, admin_user):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        login(client, "forkert", ip="203.0.113.7")
    assert login(client, "rigtig-adgangskode-1", ip="203.0.113.7").status_code == 429
    response = login(client, "rigtig-adgangskode-1", ip="198.51.100.4")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_successful_login_resets_the_count(client, admin_user):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        login(client, "forkert")
    assert login(client, "rigtig-adgangskode-1").status_code == 302
    client.logout()
    assert login(client, "forkert").status_code == 200  # counting starts again


def test_guessing_many_user_names_from_one_address_is_locked_out_too(client, admin_user):
    for n in range(django_settings.AXES_FAILURE_LIMIT):
        login(client, "forkert", username=f"bruger{n}")
    assert login(client, "rigtig-adgangskode-1").status_code == 429


def test_search_query_is_cut_to_its_maximum_length(client, archive):
    response = client.get("/soeg/", {"q": "flådestyring " + "x" * 5000})
    assert response.status_code == 200
    heading = re.search(r"<h1>Søgning: (.*?)</h1>", response.content.decode()).group(1)
    assert len(heading) == search.MAX_QUERY_LENGTH


def test_api_refuses_a_too_long_query_and_too_large_pages(client, archive):
    response = client.get("/api/search", {"q": "x" * 2001})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "q"
    response = client.get("/api/search", {"q": "budget", "antal": 101})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "antal"
    response = client.get("/api/meetings", {"antal": 101})
    assert response.status_code == 400


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_admin_login_with_an_unsafe_next_lands_on_the_admin(db, unsafe):
    User.objects.create_superuser("chef", password="rigtig-adgangskode-1")
    form = {"username": "chef", "password": "rigtig-adgangskode-1", "next": unsafe}
    response = Client().post(f"/admin/login/?next={unsafe}", form)
    assert response.status_code == 302 and response.url == "/admin/"
