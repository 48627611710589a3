"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API against `live_server`.

The machine has no network: Playwright never downloads a browser here; it launches the system
Chromium. CI installs that package, so a missing browser fails the test instead of skipping it.
"""

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API keeps an asyncio event loop in the test thread; Django refuses ORM calls
# from a thread with a running loop unless told that this is safe (it is: the loop is idle).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# axe-core, the outside accessibility check: the npm package pinned in package.json/package-lock.json,
# installed by `npm ci` (make test, or the first browser test of a fresh checkout), never from a CDN.
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP_WIDTH = 1280
PHONE_WIDTH = 390
# Only these impacts fail a page; "moderate" and "minor" findings are left to review.
FAILING_IMPACTS = ("serious", "critical")


def _axe_installed() -> Path:
    """axe.min.js from node_modules, installed with `npm ci` under a lock (two xdist workers may both ask)."""
    if AXE_SCRIPT.is_file():
        return AXE_SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm not found: the browser tests need axe-core (apt-get install nodejs npm).", pytrace=False)
    with open(Path(settings.BASE_DIR) / "package-lock.json") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AXE_SCRIPT.is_file():
            done = subprocess.run(  # noqa: S603 - npm from PATH, fixed arguments
                [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
            if done.returncode != 0 or not AXE_SCRIPT.is_file():
                pytest.fail(f"npm ci did not install axe-core: {done.stderr[-2000:]}", pytrace=False)
    return AXE_SCRIPT


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The text of axe.min.js, evaluated into each page checked (page.evaluate is not subject to its CSP)."""
    return _axe_installed().read_text(encoding="utf-8")


# The outermost elements reaching past the screen's right edge, to say what makes a page too wide.
WIDEST_ELEMENTS = """(limit) => {
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const clipped = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const all = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > limit + 1);
  // Inside a scroll box an element does not widen the page, unless positioned out of it: then name them all.
  const unclipped = all.filter((e) => !clipped(e));
  const over = unclipped.length ? unclipped : all;
  return over.filter((e) => !over.includes(e.parentElement)).slice(0, 4)
    .map((e) => `${name(e.parentElement)} > ${name(e)} ${Math.round(e.getBoundingClientRect().right)} px`).join('; ');
}"""


# A table wider than the screen scrolls inside its own box, which takes the keyboard's focus, and its first
# column stays in view.
SCROLL_BOXES = """() => [...document.querySelectorAll('main table')].flatMap((table) => {
  const box = table.parentElement;
  if (table.getBoundingClientRect().width <= box.clientWidth + 1) return [];
  const problems = [];
  const name = table.id ? '#' + table.id : 'table';
  if (!box.classList.contains('table-wrap')) problems.push(`${name} is wider than its box and not in a .table-wrap`);
  else if (box.tabIndex !== 0) problems.push(`${name}'s scroll box cannot take the keyboard's focus`);
  const first = table.querySelector('tr > :first-child');
  if (first && getComputedStyle(first).position !== 'sticky') problems.push(`${name}'s first column is not sticky`);
  return problems;
})"""


def _axe_violations(page, source: str) -> list[str]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
        for violation in found
        if violation["impact"] in FAILING_IMPACTS
    ]


def accessibility_problems(page, source: str) -> list[str]:
    """What axe-core calls serious or critical on the page as it is, at desktop and at phone width, and a
    page wider than a 390 px screen; the viewport is given back as it was."""
    viewport = page.viewport_size or {"width": DESKTOP_WIDTH, "height": 900}
    where = page.url.removeprefix(page.evaluate("() => location.origin"))
    problems = []
    try:
        for width in (DESKTOP_WIDTH, PHONE_WIDTH):
            page.set_viewport_size({"width": width, "height": viewport["height"]})
            problems += [f"{where} at {width} px: {problem}" for problem in _axe_violations(page, source)]
            if width == PHONE_WIDTH:
                scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
                problems += [f"{where} at {width} px: {problem}" for problem in page.evaluate(SCROLL_BOXES)]
                if scroll_width > PHONE_WIDTH:
                    wide = page.evaluate(WIDEST_ELEMENTS, PHONE_WIDTH)
                    problems.append(f"{where} at {width} px: the page is {scroll_width} px wide ({wide})")
    finally:
        page.set_viewport_size(viewport)
    return problems


class PageAudit:
    """Checks pages with axe-core and at phone width, and remembers which pages were loaded, so that a
    walk can assert that it checked every page it visited."""

    def __init__(self, page, source: str):
        self.source = source
        self.problems: list[str] = []
        self.loaded: list[str] = []
        self.checked: set[str] = set()
        page.on("load", lambda loaded: self.loaded.append(_path(loaded.url)))

    def check(self, page) -> None:
        self.checked.add(_path(page.url))
        self.problems += accessibility_problems(page, self.source)

    def assert_clean(self) -> None:
        unchecked = [url for url in self.loaded if url not in self.checked]
        problems = self.problems + ([f"pages loaded but never checked: {unchecked}"] if unchecked else [])
        assert not problems, "\n".join(problems)


def _path(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[-1].split("#", 1)[0]


@pytest.fixture
def assert_accessible(axe_source):
    """`assert_accessible(page)`: no serious or critical axe-core violation at desktop and phone width,
    and no horizontal page scroll at 390 px."""

    def check(page) -> None:
        problems = accessibility_problems(page, axe_source)
        assert not problems, "\n".join(problems)

    return check


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium package "
            "(apt-get install chromium) or PORTAL_CHROMIUM pointing at a Chromium binary.",
            pytrace=False,
        )
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        except Error as error:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server) -> Iterator:
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
