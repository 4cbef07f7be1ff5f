#!/usr/bin/env bash
# Runs schemathesis against a live server with Schema/openapi.yaml: property-based requests to every operation,
# anonymous and with an administrator's token, failing on any 5xx or any response the document does not describe
# (status, content type, headers, body schema).
#
#   Ops/scripts/test-api-schema.sh [MAX_EXAMPLES]     (needs TEST_DATABASE_URL's cluster, as Ops/test starts it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
examples="${1:-25}"
port=18181

python3 -m pip show schemathesis >/dev/null 2>&1 || python3 -m pip install -q "schemathesis==4.32.*" >/dev/null
bin="${CONSORTIUM_BIN:-$(swift build --show-bin-path)/consortium}"
: "${TEST_DATABASE_URL:?start a cluster first (Ops/test does)}"

# A database of its own on the test cluster, with the demo consortium in it.
psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS api_schema" -c "CREATE DATABASE api_schema" >/dev/null
export DATABASE_URL="${TEST_DATABASE_URL/dbname=consortium/dbname=api_schema}"
data="$(mktemp -d)"
"$bin" migrate >/dev/null
"$bin" seed --demo >/dev/null
admin="$(psql "$DATABASE_URL" -Atc "SELECT email FROM members WHERE is_admin ORDER BY email LIMIT 1")"
token="$("$bin" tokens create --member "$admin" --scope admin --expires 1d --name schemathesis | grep -o 'cons_[A-Za-z0-9_-]*' | head -1)"
[[ -n "$token" ]] || { echo "test-api-schema: could not create a token" >&2; exit 1; }

"$bin" serve --port "$port" --data-dir "$data" --log-level error &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

run() {  # $1: label, rest: extra schemathesis arguments
    local label="$1"; shift
    echo "test-api-schema: $label"
    schemathesis run Schema/openapi.yaml --url "http://127.0.0.1:$port" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
        --max-examples "$examples" --seed 20261130 --no-color "$@"
}
run "anonymous"
# Revoking tokens is left out here: the fuzzer would revoke its own token and test nothing more (tests cover it).
run "administrator" --header "Authorization: Bearer $token" --exclude-path-regex '^/api/v1/tokens/'

