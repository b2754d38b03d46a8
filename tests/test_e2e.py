"""End to end in a real browser: log in, upload a referat, check the preview, publish, find it.

Headless Chromium from Debian's packages (`chromium`, installed by .ci/run), driven by Playwright
for Python with ``executable_path``: Playwright's own browser download is not possible here.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User

from minutes import importer

CHROMIUM = Path(os.getenv("CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).",
)


@pytest.fixture
def secretary(transactional_db, settings, tmp_path):
    """The uploader, made before the browser starts: Playwright's greenlets would give the ORM a
    second connection that outlives the test (and blocks dropping the test database)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_PENDING_DIR = tmp_path / "pending"
    user = User.objects.create_user("sekretariat", password="hemmeligt-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="upload_minutes"))
    return user


@pytest.fixture
def browser_page(secretary, monkeypatch):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page()
        page.set_default_timeout(20_000)
        yield page
        browser.close()


def test_secretary_uploads_checks_publishes_and_finds_a_referat(live_server, browser_page):
    sample = sorted(importer.SAMPLE_DIR.glob("*.txt"))[2]
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/?next=/admin/upload/")
    page.fill("#id_username", "sekretariat")
    page.fill("#id_password", "hemmeligt-123")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/upload/$"))

    page.set_input_files("input[type=file]", str(sample))
    page.click("text=Vis forhåndsvisning")
    page.wait_for_selector("text=Nyt møde: oprettes ved offentliggørelse.")
    assert "Intet er gemt endnu" in page.content()
    title = page.locator("table tbody tr td:nth-child(2)").first.inner_text().strip()

    page.click("input[value='Offentliggør']")
    page.wait_for_selector("text=Offentliggjort: Direktionen")

    word = max(re.findall(r"\w+", title), key=len)
    page.goto(f"{live_server.url}/soeg/?q={word}")
    assert title.split(" (Lukket")[0] in page.inner_text("main")
