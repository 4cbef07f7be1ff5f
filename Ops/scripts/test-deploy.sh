#!/usr/bin/env bash
# Tests Ops/deploy: install.sh --root lays the files out (twice: re-running changes nothing it must keep), the systemd
# units pass `systemd-analyze verify`, and the nginx site, rendered for test ports on loopback with the self-signed
# certificate install.sh made, runs in front of a live `consortium serve` (the demo consortium in a database of its
# own on TEST_DATABASE_URL's cluster) and is checked end to end over TLS with curl: TLS versions, HSTS, the
# redirect from HTTP, /static/ from disk, pages and the API proxied with the forwarded headers, /metrics and /readyz
# refused, nginx's 256 KiB body limit and the 16 GiB upload routes streamed through to the app (a real upload and
# ranged download, and a sign-in whose cookie shows the app saw HTTPS). One line per check; exit 1 if any failed.
#
#   Ops/scripts/test-deploy.sh      (as root for apt; needs TEST_DATABASE_URL's cluster, as Ops/test starts it)
#
# Nginx is installed from Debian when missing. Ports 18443/18480 (site), 18481 (app), 18444/18482/18483 (a second
# nginx that echoes the headers the site sends upstream), all on 127.0.0.1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
exec </dev/null

bin="${CONSORTIUM_BIN:-$(swift build --show-bin-path)/consortium}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
: "${TEST_DATABASE_URL:?start a cluster first (Ops/test does)}"
https_port=18443 http_port=18480 app_port=18481
echo_https_port=18444 echo_http_port=18482 echo_port=18483

say() { echo "test-deploy: $*"; }
die() { echo "test-deploy: FAILED: $*" >&2; exit 1; }
failures=0
ok() { say "ok    $1"; }
bad() { say "FAIL  $1${2:+ ($2)}"; failures=$((failures + 1)); }
skip() { say "SKIP  $1"; }
# check NAME COMMAND…: one line, pass or fail, never stopping the script.
check() {
    local name="$1"; shift
    local output
    if output="$("$@" 2>&1)"; then ok "$name"; else bad "$name" "$(tr '\n' ' ' <<<"$output" | cut -c1-300)"; fi
}

if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
    [[ $(id -u) -eq 0 ]] || die "nginx is not installed and this is not root: apt-get install nginx"
    say "installing nginx"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
for tool in curl openssl psql python3; do command -v "$tool" >/dev/null || die "$tool is missing (Ops/scripts/setup.sh installs it)"; done

tmp="$(mktemp -d)"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
# Ports must be free: a leftover from an earlier run would answer instead of what is tested here.
for p in $https_port $http_port $app_port $echo_https_port $echo_http_port $echo_port; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p on 127.0.0.1 is in use"; fi
done

# --- install.sh --root ----------------------------------------------------------------------------------------------
dest="$tmp/root"
timeout 120 bash Ops/deploy/install.sh --root "$dest" --binary "$bin" --server-name localhost >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; die "install.sh --root failed"; }
ok "install.sh --root lays out a machine under a temporary folder"

mode() { stat -c %a "$1"; }
layout() {
    local problems=()
    [[ -x "$dest/usr/local/bin/consortium" ]] && cmp -s "$dest/usr/local/bin/consortium" "$bin" || problems+=("binary")
    [[ "$(mode "$dest/usr/local/bin/consortium")" == 755 ]] || problems+=("binary mode")
    diff -r Web "$dest/usr/local/share/consortium/Web" >/dev/null || problems+=("Web/")
    diff -r Schema "$dest/usr/local/share/consortium/Schema" >/dev/null || problems+=("Schema/")
    cmp -s Ops/deploy/consortium.env.example "$dest/etc/consortium/consortium.env" || problems+=("consortium.env")
    [[ "$(mode "$dest/etc/consortium/consortium.env")" == 640 ]] || problems+=("consortium.env mode")
    cmp -s Ops/deploy/consortium.service "$dest/etc/systemd/system/consortium.service" || problems+=("consortium.service")
    cmp -s Ops/deploy/consortium-runner@.service "$dest/etc/systemd/system/consortium-runner@.service" || problems+=("runner unit")
    [[ -s "$dest/etc/consortium/tls/fullchain.pem" ]] || problems+=("certificate")
    [[ "$(mode "$dest/etc/consortium/tls/privkey.pem")" == 600 ]] || problems+=("private key mode")
    [[ "$(readlink "$dest/etc/nginx/sites-enabled/consortium")" == /etc/nginx/sites-available/consortium ]] || problems+=("site link")
    grep -q "server 127.0.0.1:8080;" "$dest/etc/nginx/sites-available/consortium" || problems+=("site upstream")
    grep -q "ssl_certificate /etc/consortium/tls/fullchain.pem;" "$dest/etc/nginx/sites-available/consortium" || problems+=("site cert")
    ! grep -q '@[A-Z0-9_]*@' "$dest/etc/nginx/sites-available/consortium" || problems+=("placeholders left")
    [[ -d "$dest/var/lib/consortium" ]] || problems+=("/var/lib/consortium")
    ((${#problems[@]} == 0)) || { echo "wrong or missing: ${problems[*]}"; return 1; }
}
check "the layout: binary, Web/, Schema/, env file (0640), units, certificate (key 0600), nginx site and link" layout

# Re-running keeps the administrator's env file and certificate and changes nothing else.
echo "# edited by the administrator" >>"$dest/etc/consortium/consortium.env"
sums() { (cd "$dest" && find . -type f -print0 | sort -z | xargs -0 sha256sum; find . -type l -printf '%p -> %l\n' | sort); }
sums >"$tmp/before"
rerun() {
    timeout 120 bash Ops/deploy/install.sh --root "$dest" --binary "$bin" --server-name localhost >"$tmp/install2.log" 2>&1 || { cat "$tmp/install2.log"; return 1; }
    sums >"$tmp/after"
    diff "$tmp/before" "$tmp/after"
}
check "install.sh again: idempotent, the edited env file and the certificate kept" rerun

# The binary must run where no Swift toolchain is: it is static, or install.sh bundled the runtime it links.
runtime() {
    local lib_dir="$dest/usr/local/lib/consortium/swift" deps
    if [[ -d "$lib_dir" ]]; then
        [[ "$(cat "$dest/etc/ld.so.conf.d/consortium-swift.conf")" == /usr/local/lib/consortium/swift ]] || { echo "no ld.so.conf.d entry"; return 1; }
        deps="$(LD_LIBRARY_PATH="$lib_dir" ldd "$dest/usr/local/bin/consortium")"
    else
        deps="$(ldd "$dest/usr/local/bin/consortium" || true)"
    fi
    if grep -E "not found|/usr/lib/swift/" <<<"$deps" | grep -v "^[[:space:]]*[^ ]* => $lib_dir/" | grep .; then return 1; fi
    LD_LIBRARY_PATH="$lib_dir" timeout 30 "$dest/usr/local/bin/consortium" --help >/dev/null
}
check "the installed binary needs no Swift toolchain (static, or its runtime bundled and in ld.so.conf.d)" runtime

if "$bin" --help 2>/dev/null | grep -qE '^ +config( |$)'; then
    check "consortium config accepts the installed env file" env CONSORTIUM_CONFIG="$dest/etc/consortium/consortium.env" timeout 60 "$bin" config
else
    skip "consortium config accepts the installed env file (this binary has no 'config' command yet)"
fi

# --- systemd units -------------------------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
    # Copies whose ExecStart names this binary, since /usr/local/bin/consortium need not exist on this machine;
    # verify exits 0 on warnings (unknown keys, say), so any output fails the check.
    mkdir -p "$tmp/units"
    for unit in consortium.service consortium-runner@.service; do
        sed "s|/usr/local/bin/consortium|$bin|" "Ops/deploy/$unit" >"$tmp/units/$unit"
    done
    cp "$tmp/units/consortium-runner@.service" "$tmp/units/consortium-runner@1.service"
    verify() {
        local out
        out="$(cd "$tmp/units" && timeout 60 systemd-analyze verify "$@" 2>&1)" || { echo "$out"; return 1; }
        [[ -z "$out" ]] || { echo "$out"; return 1; }
    }
    check "systemd-analyze verify consortium.service" verify "$tmp/units/consortium.service"
    check "systemd-analyze verify consortium-runner@1.service" verify "$tmp/units/consortium-runner@1.service"
    hardened() {
        local unit key missing=()
        for unit in Ops/deploy/consortium.service Ops/deploy/consortium-runner@.service; do
            for key in "User=consortium" "ProtectSystem=strict" \
                "ReadWritePaths=/var/lib/consortium" "NoNewPrivileges=yes" "PrivateTmp=yes" "ProtectHome=yes" \
                "ProtectKernelTunables=yes" "ProtectKernelModules=yes" "ProtectControlGroups=yes" \
                "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" "LockPersonality=yes" "RestrictSUIDSGID=yes" \
                "CapabilityBoundingSet=" "Restart=on-failure" "KillSignal=SIGTERM"; do
                grep -qx "$key" "$unit" || missing+=("$(basename "$unit"): $key")
            done
        done
        grep -qx "ExecStart=/usr/local/bin/consortium runner --owner %H-%i" Ops/deploy/consortium-runner@.service || missing+=("runner owner")
        ((${#missing[@]} == 0)) || { printf '%s; ' "${missing[@]}"; return 1; }
    }
    check "both units run as consortium, hardened, restart on failure, stop with SIGTERM" hardened
else
    skip "systemd-analyze verify (systemd-analyze is not installed here)"
fi

# --- The live site --------------------------------------------------------------------------------------------------
tls="$dest/etc/consortium/tls"
# nginx_conf PREFIX SITE [EXTRA]: an nginx.conf with everything (pid, logs, temporary files) under PREFIX.
nginx_conf() {
    local prefix="$1" site="$2" extra="${3:-}"
    mkdir -p "$prefix/logs"
    {
        if [[ $(id -u) -eq 0 ]]; then echo "user root root;"; fi   # workers must read the temporary folder
        echo "worker_processes 1;"
        echo "pid $prefix/nginx.pid;"
        echo "events { worker_connections 128; }"
        echo "http {"
        echo "    include /etc/nginx/mime.types;"
        echo "    default_type application/octet-stream;"
        echo "    access_log $prefix/logs/access.log;"
        for kind in client_body proxy fastcgi uwsgi scgi; do echo "    ${kind}_temp_path $prefix/$kind;"; done
        echo "    sendfile on;"
        echo "    include $site;"
        echo "$extra"
        echo "}"
    } >"$prefix/nginx.conf"
}
nginx_test() { timeout 30 "$nginx_bin" -t -q -p "$1" -e "$1/logs/error.log" -c "$1/nginx.conf" -g "daemon off;"; }
# start_nginx PREFIX PORT: a non-daemon master in the background; waits (10 s at most) until PORT answers.
start_nginx() {
    local prefix="$1" port="$2"
    "$nginx_bin" -p "$prefix" -e "$prefix/logs/error.log" -c "$prefix/nginx.conf" -g "daemon off;" &
    pids+=($!)
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        kill -0 "${pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    cat "$prefix/logs/error.log" >&2
    return 1
}
render() {  # render HTTPS_PORT HTTP_PORT UPSTREAM
    timeout 60 bash Ops/deploy/install.sh --render-nginx --root "$dest" --server-name localhost --listen-v4 127.0.0.1 --listen-v6 none \
        --https-port "$1" --http-port "$2" --upstream "$3" --static-root "$root/Web/static" --tls-dir "$tls"
}
mkdir -p "$tmp/nginx" "$tmp/echo"
render $https_port $http_port "127.0.0.1:$app_port" >"$tmp/nginx/site.conf" || die "install.sh --render-nginx failed"
nginx_conf "$tmp/nginx" "$tmp/nginx/site.conf"
check "nginx -t accepts the rendered site (ports $https_port/$http_port, upstream 127.0.0.1:$app_port)" nginx_test "$tmp/nginx"
start_nginx "$tmp/nginx" $https_port || die "nginx did not start with the rendered site"

# The app, on its own database with the demo consortium; its web folder a copy whose app.css differs from the
# repository's, so a /static/ response equal to Web/static/app.css can only have come from nginx.
PGOPTIONS="-c client_min_messages=warning" timeout 60 psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS deploy_test" \
    -c "CREATE DATABASE deploy_test" >/dev/null
export DATABASE_URL="${TEST_DATABASE_URL/dbname=consortium/dbname=deploy_test}"
export CONSORTIUM_CONFIG="$tmp/empty.env"   # not this machine's /etc/consortium/consortium.env, if there is one
: >"$CONSORTIUM_CONFIG"
timeout 300 "$bin" migrate >"$tmp/cli.log" 2>&1 || { cat "$tmp/cli.log" >&2; die "consortium migrate failed"; }
timeout 600 "$bin" seed --demo >"$tmp/cli.log" 2>&1 || { cat "$tmp/cli.log" >&2; die "consortium seed --demo failed"; }
cp -R Web "$tmp/app-web"
printf '\n/* the app'"'"'s copy */\n' >>"$tmp/app-web/static/app.css"
"$bin" serve --host 127.0.0.1 --port $app_port --web-dir "$tmp/app-web" --data-dir "$tmp/data" --log-level warning \
    >"$tmp/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do curl -sf --max-time 2 "http://127.0.0.1:$app_port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf --max-time 2 "http://127.0.0.1:$app_port/healthz" >/dev/null || { cat "$tmp/serve.log" >&2; die "serve did not start"; }

site="https://localhost:$https_port"
# curl through the site: verified against the self-signed certificate, SNI and Host localhost, bounded in time.
fetch() { curl -sS --max-time 30 --cacert "$tls/fullchain.pem" --resolve "localhost:$https_port:127.0.0.1" \
    --resolve "localhost:$http_port:127.0.0.1" --resolve "localhost:$echo_https_port:127.0.0.1" "$@"; }
# head_of RESPONSE-HEADERS-FILE NAME: a header's value.
header() { grep -i "^$2:" "$1" | tail -1 | cut -d: -f2- | sed 's/^ //; s/\r$//'; }
from_app() { [[ -n "$(header "$1" Content-Security-Policy)" ]]; }   # the app puts a CSP on everything; nginx adds none
# expect NAME STATUS ORIGIN(app|nginx) CURL-ARGS…; the response headers stay in $tmp/h, the body in $tmp/b.
expect() {
    local name="$1" want="$2" origin="$3"; shift 3
    local status
    status="$(fetch -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' "$@")" || { bad "$name" "curl failed"; return 1; }
    if [[ "$status" != "$want" ]]; then bad "$name" "status $status, body $(head -c 200 "$tmp/b" | tr '\n' ' ')"; return 1; fi
    if [[ "$origin" == app ]] && ! from_app "$tmp/h"; then bad "$name" "status $status but not from the app (no CSP)"; return 1; fi
    if [[ "$origin" == nginx ]] && from_app "$tmp/h"; then bad "$name" "status $status but from the app, not nginx"; return 1; fi
    return 0
}

tls_versions() {
    local v out
    for v in 1.2 1.3; do
        out="$(timeout 10 openssl s_client -connect "127.0.0.1:$https_port" -servername localhost -"tls${v/./_}" \
            -CAfile "$tls/fullchain.pem" 2>&1 </dev/null || true)"
        grep -q "^New, TLSv$v, Cipher is [A-Z]" <<<"$out" && grep -q "Verify return code: 0 (ok)" <<<"$out" ||
            { echo "TLS $v: $(grep -m1 -E '^New,|error|Verify return' <<<"$out")"; return 1; }
    done
    # The client allows TLS 1.1 (security level 0), so the refusal must be the server's protocol-version alert.
    out="$(timeout 10 openssl s_client -connect "127.0.0.1:$https_port" -servername localhost -tls1_1 \
        -cipher 'DEFAULT@SECLEVEL=0' 2>&1 </dev/null || true)"
    grep -q "alert protocol version" <<<"$out" && grep -q "Cipher is (NONE)" <<<"$out" ||
        { echo "TLS 1.1 not refused by the server: $(grep -m1 -E '^New,|error' <<<"$out")"; return 1; }
}
check "TLS 1.2 and 1.3 accepted with the certificate install.sh made; TLS 1.1 refused" tls_versions

if expect "GET /healthz → 200 from the app" 200 app "$site/healthz"; then
    if [[ "$(cat "$tmp/b")" == ok ]] && [[ "$(header "$tmp/h" Strict-Transport-Security)" == "max-age=63072000" ]]; then
        ok "GET /healthz → 200 from the app, with HSTS"
    else bad "GET /healthz → 200 from the app, with HSTS" "body $(cat "$tmp/b"), HSTS '$(header "$tmp/h" Strict-Transport-Security)'"; fi
fi

if expect "GET /static/app.css from disk by nginx" 200 nginx "$site/static/app.css"; then
    if ! cmp -s "$tmp/b" Web/static/app.css; then bad "GET /static/app.css from disk by nginx" "bytes differ from Web/static/app.css"
    elif [[ "$(header "$tmp/h" Cache-Control)" != "public, max-age=86400" || "$(header "$tmp/h" Content-Type)" != text/css* ]]; then
        bad "GET /static/app.css from disk by nginx" "Cache-Control '$(header "$tmp/h" Cache-Control)', Content-Type '$(header "$tmp/h" Content-Type)'"
    elif [[ "$(header "$tmp/h" X-Content-Type-Options)" != nosniff || -z "$(header "$tmp/h" Strict-Transport-Security)" ]]; then
        bad "GET /static/app.css from disk by nginx" "no nosniff or HSTS"
    else ok "GET /static/app.css → Web/static/app.css byte for byte from nginx (not the app's copy), cached a day, nosniff, HSTS"; fi
fi
expect "GET /static/missing.css → 404 from nginx" 404 nginx "$site/static/missing.css" &&
    ok "GET /static/missing.css → 404 from nginx (the app never sees /static/)"

if expect "GET / → 200 HTML from the app" 200 app -H "Accept: text/html" "$site/"; then
    if [[ "$(header "$tmp/h" Content-Type)" == text/html* ]] && grep -q "<h1" "$tmp/b"; then ok "GET / → 200 HTML page from the app"
    else bad "GET / → 200 HTML from the app" "Content-Type $(header "$tmp/h" Content-Type)"; fi
fi

if expect "GET /api/v1/working-groups → 200 JSON" 200 app "$site/api/v1/working-groups"; then
    if [[ "$(header "$tmp/h" Content-Type)" == application/json* ]] && python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["items"]' "$tmp/b" 2>/dev/null; then
        ok "GET /api/v1/working-groups → 200 JSON with working groups"
    else bad "GET /api/v1/working-groups → 200 JSON" "Content-Type $(header "$tmp/h" Content-Type)"; fi
fi

if expect "http:// → 301 to https://" 301 nginx "http://localhost:$http_port/working-groups?name=a%20b"; then
    location="$(header "$tmp/h" Location)"
    if [[ "$location" == "https://localhost:$https_port/working-groups?name=a%20b" ]]; then ok "http://…:$http_port/path?query → 301 to https://…:$https_port/path?query (nginx)"
    else bad "http:// → 301 to https://" "Location $location"; fi
fi

expect "GET /metrics → 403 from nginx" 403 nginx "$site/metrics" && ok "GET /metrics → 403 from nginx (scrape the app's port directly)"
expect "GET /readyz → 403 from nginx" 403 nginx "$site/readyz" && ok "GET /readyz → 403 from nginx (for the load balancer on the app's port)"

# Request ids: one per request from nginx, replacing the client's.
if expect "X-Request-Id" 200 app -H "X-Request-Id: chosen-by-the-client" "$site/healthz"; then
    id="$(header "$tmp/h" X-Request-Id)"
    if [[ "$id" =~ ^[0-9a-f]{32}$ ]]; then ok "X-Request-Id: nginx's own per request (32 hex digits), not the client's"; else bad "X-Request-Id" "'$id'"; fi
fi

# What the site sends upstream, seen by a second nginx that echoes the request headers back.
render $echo_https_port $echo_http_port "127.0.0.1:$echo_port" >"$tmp/echo/site.conf"
echo_server="    server { listen 127.0.0.1:$echo_port; location / { default_type text/plain;
        return 200 \"host=\$http_host\\nfor=\$http_x_forwarded_for\\nproto=\$http_x_forwarded_proto\\nid=\$http_x_request_id\\n\"; } }"
nginx_conf "$tmp/echo" "$tmp/echo/site.conf" "$echo_server"
if nginx_test "$tmp/echo" && start_nginx "$tmp/echo" $echo_https_port; then
    forwarded() {
        local body id
        body="$(fetch -D "$tmp/eh" -H "X-Request-Id: spoofed" -H "X-Forwarded-Proto: http" -H "X-Forwarded-For: 192.0.2.1" "https://localhost:$echo_https_port/anything")"
        id="$(header "$tmp/eh" X-Request-Id)"
        local want="host=localhost
for=127.0.0.1
proto=https
id=$id"
        [[ "$body" == "$want" ]] || { echo "upstream saw: $(tr '\n' ' ' <<<"$body"); response id $id"; return 1; }
    }
    check "upstream gets Host, X-Forwarded-For = the client (not what it claimed), X-Forwarded-Proto https, X-Request-Id = the response's" forwarded
else
    bad "upstream headers" "the echoing nginx did not start"
fi

# Session cookies: the app names them __Host- and marks them Secure only when X-Forwarded-Proto says https.
admin="$(timeout 60 psql "$DATABASE_URL" -Atc "SELECT email FROM members WHERE is_admin ORDER BY email LIMIT 1")"
sign_in() {
    echo "deploy-test-password-1" | timeout 60 "$bin" users set-password --member "$admin" >/dev/null
    fetch -c "$tmp/jar" -o "$tmp/form" "$site/sign-in"
    local csrf status
    csrf="$(grep -o 'name="csrf" value="[^"]*"' "$tmp/form" | head -1 | sed 's/.*value="//; s/"$//')"
    [[ -n "$csrf" ]] || { echo "no csrf field in the sign-in form"; return 1; }
    grep -q "__Host-consortium_csrf" "$tmp/jar" || { echo "the sign-in form's cookie is not __Host- (the app did not see https)"; return 1; }
    status="$(fetch -b "$tmp/jar" -c "$tmp/jar" -D "$tmp/sh" -o /dev/null -w '%{http_code}' \
        --data-urlencode "csrf=$csrf" --data-urlencode "email=$admin" --data-urlencode "password=deploy-test-password-1" \
        --data-urlencode "next=/" "$site/sign-in")"
    [[ "$status" == 303 ]] || { echo "sign-in answered $status"; return 1; }
    grep -i "^set-cookie: __Host-consortium_session=" "$tmp/sh" | grep -qi "secure" ||
        { echo "no Secure __Host-consortium_session cookie: $(grep -i set-cookie "$tmp/sh" | tr '\n' ' ')"; return 1; }
}
check "sign-in through nginx sets a Secure __Host-consortium_session cookie (the app saw X-Forwarded-Proto https)" sign_in

# Body limits: JSON and forms up to 256 KiB reach the app; more is refused by nginx; uploads go through.
head -c $((256 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$tmp/over"
head -c $((256 * 1024)) /dev/zero | tr '\0' ' ' >"$tmp/limit"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$tmp/upload"
if expect "POST of 256 KiB + 1 byte → 413 from nginx" 413 nginx -H "Content-Type: application/json" --data-binary "@$tmp/over" "$site/api/v1/artifacts"; then
    if [[ "$(header "$tmp/h" Content-Type)" == application/problem+json* ]]; then ok "JSON POST of 256 KiB + 1 byte → 413 problem+json from nginx"
    else bad "JSON POST of 256 KiB + 1 byte → 413 from nginx" "Content-Type $(header "$tmp/h" Content-Type)"; fi
fi
expect "POST of exactly 256 KiB reaches the app" 401 app -H "Content-Type: application/json" --data-binary "@$tmp/limit" "$site/api/v1/artifacts" &&
    ok "JSON POST of exactly 256 KiB reaches the app (401 without a token)"
artifact="$(fetch "$site/api/v1/artifacts?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])' 2>/dev/null || true)"
[[ -n "$artifact" ]] || artifact=00000000-0000-0000-0000-000000000000
if expect "PUT of 3 MiB to /api/v1/artifacts/ID/files/x → the app's 401" 401 app -T "$tmp/upload" "$site/api/v1/artifacts/$artifact/files/x.bin"; then
    if [[ "$(header "$tmp/h" Content-Type)" == application/problem+json* ]]; then ok "PUT of 3 MiB to /api/v1/artifacts/ID/files/… passes nginx: the app's 401 problem+json, not 413"
    else bad "PUT of 3 MiB → the app's 401" "Content-Type $(header "$tmp/h" Content-Type)"; fi
fi
expect "form upload of 3 MiB to /artifacts/ID/files → the app's 401" 401 app -F "file=@$tmp/upload" "$site/artifacts/$artifact/files" &&
    ok "multipart POST of 3 MiB to /artifacts/ID/files passes nginx: the app's 401, not 413"
# Refused before the body is read, an answer used to race the body nginx was still streaming: about one refused
# 3 MiB upload in 20 got its HTTP/2 stream reset (INTERNAL_ERROR) instead of the 401. The app now reads a refused
# body of up to 16 MiB to its end before answering. 30 of each kind must all get their 401 intact: no token, a bad
# token (refused by the app's auth middleware, not the upload handler), no declared length, and the page's form.
refusals_intact() {
    local i status
    for i in $(seq 1 30); do
        status="$(fetch -o /dev/null -w '%{http_code}' -T "$tmp/upload" "$site/api/v1/artifacts/$artifact/files/x.bin")" ||
            { echo "PUT $i: curl failed (stream reset?)"; return 1; }
        [[ "$status" == 401 ]] || { echo "PUT $i answered $status"; return 1; }
        status="$(fetch -o /dev/null -w '%{http_code}' -H "Authorization: Bearer cons_not_a_token" -T "$tmp/upload" \
            "$site/api/v1/artifacts/$artifact/files/x.bin")" || { echo "PUT with a bad token $i: curl failed (stream reset?)"; return 1; }
        [[ "$status" == 401 ]] || { echo "PUT with a bad token $i answered $status"; return 1; }
        status="$(fetch -o /dev/null -w '%{http_code}' -T - "$site/api/v1/artifacts/$artifact/files/x.bin" <"$tmp/upload")" ||
            { echo "PUT without a length $i: curl failed (stream reset?)"; return 1; }
        [[ "$status" == 401 ]] || { echo "PUT without a length $i answered $status"; return 1; }
        status="$(fetch -o /dev/null -w '%{http_code}' -F "file=@$tmp/upload" "$site/artifacts/$artifact/files")" ||
            { echo "form upload $i: curl failed (stream reset?)"; return 1; }
        [[ "$status" == 401 ]] || { echo "form upload $i answered $status"; return 1; }
    done
}
check "refused 3 MiB uploads through nginx over HTTP/2 (30 each: no token, bad token, no length, form): every one gets its 401, no stream reset" refusals_intact

# A real upload and ranged download through the site, with a token: streamed both ways.
token="$(timeout 60 "$bin" tokens create --member "$admin" --scope admin --expires 1d --name deploy-test 2>/dev/null | grep -o 'cons_[A-Za-z0-9_-]*' | head -1)"
group="$(fetch "$site/api/v1/working-groups" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["slug"])')"
roundtrip() {
    local id status digest
    id="$(fetch -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
        -d "{\"working_group\":\"$group\",\"kind\":\"dataset\",\"slug\":\"deploy-test\",\"title\":\"Deploy test\"}" \
        "$site/api/v1/artifacts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" || { echo "could not register an artifact"; return 1; }
    digest="$(openssl dgst -sha256 -binary "$tmp/upload" | base64)"
    status="$(fetch -o "$tmp/ub" -w '%{http_code}' -H "Authorization: Bearer $token" -H "Content-Digest: sha-256=:$digest:" \
        -T "$tmp/upload" "$site/api/v1/artifacts/$id/files/data/blob.bin")"
    [[ "$status" == 200 || "$status" == 201 ]] || { echo "upload answered $status: $(head -c 300 "$tmp/ub")"; return 1; }
    fetch -f -H "Authorization: Bearer $token" -o "$tmp/down" "$site/api/v1/artifacts/$id/files/data/blob.bin" || { echo "download failed"; return 1; }
    cmp -s "$tmp/upload" "$tmp/down" || { echo "downloaded bytes differ"; return 1; }
    status="$(fetch -o "$tmp/part" -w '%{http_code}' -r 1000-1999 -H "Authorization: Bearer $token" "$site/api/v1/artifacts/$id/files/data/blob.bin")"
    [[ "$status" == 206 ]] && cmp -s "$tmp/part" <(tail -c +1001 "$tmp/upload" | head -c 1000) || { echo "range request answered $status"; return 1; }
}
if [[ -n "$token" ]]; then
    check "3 MiB upload (PUT, Content-Digest) through nginx, then download and a 206 range, byte for byte" roundtrip
else
    bad "upload through nginx" "could not create a token"
fi

if ((failures)); then
    for log in "$tmp/nginx/logs/error.log" "$tmp/serve.log"; do
        if [[ -s "$log" ]]; then echo "--- last lines of ${log#"$tmp/"}" >&2; tail -20 "$log" >&2; fi
    done
    die "$failures check(s) failed"
fi
say "all checks passed"
