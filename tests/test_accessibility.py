"""Accessibility in a real browser (WCAG 2.1 AA): axe-core on every kind of page, a keyboard-only
search, and no sideways scrolling on a phone or at 200 % zoom (WCAG 1.4.10 Reflow).

Headless Chromium from Debian's packages, driven by Playwright as in tests/test_e2e.py. axe-core
comes from npm, pinned in tests/a11y/package.json (``npm ci --prefix tests/a11y``, which .ci/run
does). Screenshots go to ``$SCREENSHOT_DIR`` (default: the test's tmp_path) for a person to look at.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.db.models import Count
from django.urls import reverse

from minutes import generator, importer
from minutes.models import Body, Case, Meeting, Person
from tests.test_e2e import CHROMIUM, FLAGS

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}
PASSWORD = "hemmeligt-123"

# What the Content-Security-Policy (no 'unsafe-inline') would block: style attributes, inline
# <style>, and inline scripts that run (a JSON data block does not).
INLINE_CODE_JS = """() => [
  ...[...document.querySelectorAll('[style]')]
    .map(e => '<' + e.localName + ' style="' + e.getAttribute('style') + '">'),
  ...[...document.querySelectorAll('style')].map(() => '<style>'),
  ...[...document.querySelectorAll('script:not([src])')]
    .filter(e => !['application/json', 'application/ld+json'].includes(e.type))
    .map(() => '<script> without src'),
]"""

# The focused element and whether its focus indicator can be seen: an outline of 2px or more,
# or a box-shadow (WCAG 2.4.7 Focus Visible).
FOCUS_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow !== 'none';
  return {
    element: el.localName + (el.id ? '#' + el.id : ''),
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60),
    href: el.getAttribute('href') || '',
    visible: (outline || shadow) && box.width > 1 && box.height > 1,
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    boxShadow: style.boxShadow,
  };
}"""

OVERFLOW_JS = "() => [document.documentElement.scrollWidth, window.innerWidth]"

# (name, width, height, device scale factor, must reflow without sideways scrolling). 200 % zoom
# in a 1280 x 800 window is a 640 x 400 CSS-pixel viewport with two device pixels per CSS pixel.
VIEWPORTS = [
    ("desktop", 1280, 800, 1, False),
    ("phone", 390, 844, 2, True),
    ("zoom200", 640, 400, 2, True),
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).",
)


@pytest.fixture
def axe_path():
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: install axe-core with `npm ci --prefix tests/a11y` (see .ci/run).")
    return AXE


@pytest.fixture
def public_pages(archive):
    """Each kind of public page: name -> (path, what its h1 says). Found before the browser starts:
    Playwright's greenlets would give the ORM a second connection that outlives the test."""
    meeting = Meeting.objects.annotate(n=Count("items")).order_by("-n", "date").first()
    case = Case.objects.annotate(n=Count("items")).order_by("-n", "number").first()
    person = Person.objects.annotate(n=Count("meetings")).order_by("-n", "slug").first()
    body = Body.objects.annotate(n=Count("meetings")).order_by("-n", "slug").first()
    item = meeting.items.order_by("number").first()
    return {
        "forside": ("/", "Søg i Kalundborg Kommunes referater"),
        "soegning": ("/soeg/?q=budget&aar=2024&beslutning=approved&sortering=nyeste", "Søgning: budget"),
        "moede": (reverse("minutes:meeting_detail", args=[meeting.pk]), meeting.body.name),
        "punkt": (reverse("minutes:item_detail", args=[item.pk]), f"Punkt {item.number}"),
        "sag": (reverse("minutes:case_detail", args=[case.number]), f"Sag {case.number}"),
        "person": (reverse("minutes:person_detail", args=[person.slug]), person.name),
        "udvalg": (reverse("minutes:body_detail", args=[body.slug]), body.name),
        "udvalgsliste": (reverse("minutes:body_list"), "Udvalg og organer"),
        "arkiv": (reverse("minutes:year_list"), "Arkiv år for år"),
        "aar": (reverse("minutes:year_detail", args=[meeting.date.year]), f"Møder i {meeting.date.year}"),
        "api": (reverse("api_overview"), "API og åbne data"),
        "404": ("/findes-ikke/", "Siden findes ikke"),
    }


@pytest.fixture
def secretary(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_PENDING_DIR = tmp_path / "pending"
    user = User.objects.create_user("sekretariat", password=PASSWORD, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="upload_minutes"))
    return user


@pytest.fixture
def browser(public_pages, secretary):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir(tmp_path):
    directory = Path(os.getenv("SCREENSHOT_DIR") or tmp_path / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def upload_files(tmp_path):
    """A new referat, one that is not a referat, and one the archive already has: every state of
    the preview."""
    new = tmp_path / "nyt-referat.txt"
    new.write_text(generator.render(next(generator.generate_meetings(1, seed=11))))
    broken = tmp_path / "ikke-et-referat.txt"
    broken.write_text("Indkøbsliste\n\nMælk, brød og kaffe.\n")
    return [new, broken, sorted(importer.SAMPLE_DIR.glob("*.txt"))[2]]


def new_page(browser, **options):
    page = browser.new_page(**options)
    page.set_default_timeout(20_000)
    return page


def log_in(page, base_url):
    page.goto(f"{base_url}/admin/login/?next=/admin/upload/")
    submit_login(page)


def submit_login(page):
    page.fill("#id_username", "sekretariat")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/upload/$"))


def upload(page, files):
    page.set_input_files("input[type=file]", [str(path) for path in files])
    page.click("text=Vis forhåndsvisning")
    page.wait_for_selector("text=Nyt møde: oprettes ved offentliggørelse.")


def audit(page, axe_path):
    """The page's problems: inline code a strict CSP would block, and axe's violations."""
    problems = [f"inline code (blocked by CSP): {code}" for code in page.evaluate(INLINE_CODE_JS)]
    page.add_script_tag(path=str(axe_path))
    for violation in page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            print(f"{page.url}: {violation['id']} ({violation['impact']}), not failing: {violation['help']}")
            continue
        rule = f"{violation['id']} ({violation['impact']})"
        problems.append(f"{rule}: {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"]:
            problems.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
    return [f"{page.url}: {problem}" for problem in problems]


def test_public_pages_have_no_serious_axe_violations(axe_path, live_server, public_pages, browser):
    problems = []
    # On a desktop and a phone: what is hidden, wrapped or scrolled differs between them.
    for viewport in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
        # bypass_csp: axe is injected as an inline script, which a strict policy would refuse.
        page = new_page(browser, viewport=viewport, bypass_csp=True)
        for path, heading in public_pages.values():
            page.goto(f"{live_server.url}{path}")
            assert heading in page.inner_text("h1"), path
            problems += [f"{viewport['width']}px {problem}" for problem in audit(page, axe_path)]
        page.close()
    assert not problems, "\n".join(problems)


def test_admin_upload_pages_have_no_serious_axe_violations(axe_path, live_server, browser, upload_files):
    page = new_page(browser, bypass_csp=True)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/upload/")
    problems = audit(page, axe_path)
    submit_login(page)
    problems += audit(page, axe_path)

    upload(page, upload_files)
    assert "Fejl:" in page.inner_text(".errorlist")
    assert "Identisk med det offentliggjorte møde" in page.inner_text("#content")
    problems += audit(page, axe_path)

    page.goto(f"{live_server.url}/admin/")
    assert "Upload referater" in page.inner_text("#upload-link")
    problems += audit(page, axe_path)
    assert not problems, "\n".join(problems)


def tab_to(page, wanted, stops, limit=150):
    """Press Tab until ``wanted(focus)`` holds; every focus stop on the way is recorded in ``stops``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_JS)
        stops.append(focus)
        if wanted(focus):
            return focus
    raise AssertionError(f"not reached with {limit} Tabs; last stops: {stops[-5:]}")


def test_keyboard_only_search_filter_and_open_a_meeting(live_server, browser, screenshot_dir):
    page = new_page(browser, viewport={"width": 1280, "height": 800})
    stops = []
    page.goto(f"{live_server.url}/")

    # The first Tab reaches the skip link; Enter moves focus to <main>, so the next Tab is the
    # front page's search box.
    assert tab_to(page, lambda f: True, stops, limit=1)["text"] == "Gå til indholdet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "indhold"
    assert tab_to(page, lambda f: True, stops, limit=1)["element"] == "input#soeg"
    page.keyboard.type("budget")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/soeg/\?q=budget$"))
    assert page.inner_text("h1") == "Søgning: budget"

    # Past the hits to the filters, then a year: a link, which Enter follows.
    tab_to(page, lambda f: f["text"] == "Gå til afgrænsning af søgningen", stops)
    page.screenshot(path=screenshot_dir / "fokus-afgraensning-desktop.png")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "afgraensning"
    year = tab_to(page, lambda f: re.fullmatch(r"\?q=budget&aar=\d{4}", f["href"]), stops)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"aar=\d{4}"))
    assert f"År: {year['text']}" in page.inner_text(".chips")

    # The sort order: the arrow keys change the select, Space presses the button.
    tab_to(page, lambda f: f["element"] == "select#sortering", stops)
    page.keyboard.press("ArrowDown")
    assert tab_to(page, lambda f: True, stops, limit=1)["text"] == "Sortér"
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"sortering=nyeste"))
    assert f"aar={year['text']}" in page.url

    # The skip link again, then the first hit's meeting.
    tab_to(page, lambda f: f["text"] == "Gå til indholdet", stops, limit=1)
    page.keyboard.press("Enter")
    meeting = tab_to(page, lambda f: f["href"].startswith("/moede/"), stops)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/moede/\d+/$"))
    assert meeting["text"].split(",")[0] in page.inner_text("h1")

    hidden = [stop for stop in stops if not stop["visible"]]
    assert not hidden, f"{len(hidden)} of {len(stops)} focus stops show no focus indicator: {hidden}"
    print(f"keyboard walk: {len(stops)} focus stops, all with a visible focus indicator")


def test_pages_reflow_on_a_phone_and_at_200_percent_zoom(
    live_server, public_pages, browser, upload_files, screenshot_dir
):
    too_wide, csp_refusals = [], []

    def note_csp_refusal(message):
        if "Content Security Policy" in message.text:
            csp_refusals.append(message.text)

    def check(page, name, viewport, must_reflow):
        # The top of long pages is enough to look at (a meeting runs to 20 screens on a phone).
        height = min(page.evaluate("document.documentElement.scrollHeight"), 4000)
        page.screenshot(
            path=screenshot_dir / f"{name}-{viewport}.png",
            full_page=True,
            clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height},
        )
        scroll_width, inner_width = page.evaluate(OVERFLOW_JS)
        if must_reflow and scroll_width > inner_width:
            too_wide.append(f"{page.url} at {viewport}: {scroll_width}px wide in a {inner_width}px window")

    for viewport, width, height, scale, must_reflow in VIEWPORTS:
        page = new_page(browser, viewport={"width": width, "height": height}, device_scale_factor=scale)
        page.on("console", note_csp_refusal)
        for name in ("forside", "soegning", "moede", "sag", "person", "404"):
            path = public_pages[name][0]
            page.goto(f"{live_server.url}{path}")
            check(page, name, viewport, must_reflow)
        log_in(page, live_server.url)
        check(page, "admin-upload", viewport, must_reflow)
        upload(page, upload_files)
        check(page, "admin-preview", viewport, must_reflow)
        page.close()
    assert not too_wide, "\n".join(too_wide)
    assert not csp_refusals, "\n".join(csp_refusals)
