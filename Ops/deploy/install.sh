#!/usr/bin/env bash
# Installs Consortium on a Debian machine, as root and without questions; safe to re-run (that is how to upgrade):
# installs the Debian packages that are missing (nginx, postgresql, libpq5, libopenblas0, ca-certificates, openssl),
# creates the system user "consortium", copies the binary to /usr/local/bin and Web/ and Schema/ to
# /usr/local/share/consortium, writes /etc/consortium/consortium.env from consortium.env.example when it is missing
# (never overwrites it), renders the nginx site (nginx-consortium.conf) into /etc/nginx/sites-available/consortium,
# makes a self-signed certificate in /etc/consortium/tls when there is none (replace it!), creates the PostgreSQL role
# and database "consortium" when DATABASE_URL is the local default, migrates, checks `nginx -t`, installs the systemd
# units and, when systemd is running, enables and (re)starts consortium, consortium-runner@1..N and nginx.
#
#   Ops/deploy/install.sh [BINARY] [options]
#
#   BINARY, --binary PATH   the consortium executable (default: $(swift build -c release --show-bin-path)/consortium)
#   --root DIR              lay everything out under DIR (like DESTDIR) and touch nothing else: no apt, no user,
#                           no database, no nginx -t, no systemctl; paths inside the files stay the final ones
#   --render-nginx          only print the rendered nginx site on stdout (with the options below), then exit
#   --server-name NAME      nginx server_name (default: hostname -f)
#   --http-port N           plain-HTTP port, redirects only (default 80)
#   --https-port N          TLS port (default 443)
#   --listen-v4 ADDR        IPv4 address nginx listens on (default 0.0.0.0)
#   --listen-v6 ADDR|none   IPv6 address nginx listens on (default [::], none when this machine has no IPv6)
#   --upstream HOST:PORT    where serve listens (default: CONSORTIUM_HOST:CONSORTIUM_PORT from the env file, else 127.0.0.1:8080)
#   --static-root DIR       folder nginx serves /static/ from (default /usr/local/share/consortium/Web/static)
#   --tls-dir DIR           folder with fullchain.pem and privkey.pem (default /etc/consortium/tls)
#   --runners N             runner instances to enable, consortium-runner@1..N (default 1; 0 for none)
#
# The size limits in the nginx site come from CONSORTIUM_MAX_BODY_BYTES and CONSORTIUM_MAX_UPLOAD_BYTES in the env
# file, so nginx refuses exactly what the app would.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

root=""
binary=""
render_only=0
server_name=""
http_port=80
https_port=443
listen_v4=0.0.0.0
listen_v6=""
upstream=""
static_root=/usr/local/share/consortium/Web/static
tls_dir=/etc/consortium/tls
runners=1

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*" >&2; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --root) root="${2:?--root needs a folder}"; shift 2 ;;
        --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
        --render-nginx) render_only=1; shift ;;
        --server-name) server_name="${2:?}"; shift 2 ;;
        --http-port) http_port="${2:?}"; shift 2 ;;
        --https-port) https_port="${2:?}"; shift 2 ;;
        --listen-v4) listen_v4="${2:?}"; shift 2 ;;
        --listen-v6) listen_v6="${2:?}"; shift 2 ;;
        --upstream) upstream="${2:?}"; shift 2 ;;
        --static-root) static_root="${2:?}"; shift 2 ;;
        --tls-dir) tls_dir="${2:?}"; shift 2 ;;
        --runners) runners="${2:?}"; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
        -*) die "unknown option $1 (--help lists them)" ;;
        *) [[ -z "$binary" ]] || die "one binary only"; binary="$1"; shift ;;
    esac
done
if [[ -n "$root" ]]; then
    mkdir -p "$root"
    root="$(cd "$root" && pwd)"
    [[ "$root" != / ]] || root=""
fi
real=1
[[ -z "$root" ]] || real=0

env_file=/etc/consortium/consortium.env
share=/usr/local/share/consortium

# A value from an env file (NAME=VALUE, optional export and quotes); empty when absent.
env_value() {
    local name="$1" file="$2" value
    [[ -r "$file" ]] || return 0
    value="$(sed -n -E "s/^[[:space:]]*(export[[:space:]]+)?$name[[:space:]]*=[[:space:]]*//p" "$file" | tail -1)"
    value="${value%"${value##*[![:space:]]}"}"
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
    printf '%s' "$value"
}

# --- The nginx site: options, then the env file, then defaults. -----------------------------------------------------
settings_file="$root$env_file"
[[ -r "$settings_file" ]] || settings_file="$here/consortium.env.example"
max_body="$(env_value CONSORTIUM_MAX_BODY_BYTES "$settings_file")"
max_upload="$(env_value CONSORTIUM_MAX_UPLOAD_BYTES "$settings_file")"
max_body="${max_body:-262144}"
max_upload="${max_upload:-17179869184}"
if [[ -z "$upstream" ]]; then
    app_host="$(env_value CONSORTIUM_HOST "$settings_file")"
    app_port="$(env_value CONSORTIUM_PORT "$settings_file")"
    case "${app_host:-127.0.0.1}" in
        0.0.0.0 | "*") app_host=127.0.0.1 ;;
        :: | "[::]") app_host="[::1]" ;;
        *:*) app_host="[${app_host#[}"; app_host="${app_host%]}]" ;;
    esac
    upstream="${app_host:-127.0.0.1}:${app_port:-8080}"
fi
if [[ -z "$server_name" ]]; then
    server_name="$(hostname -f 2>/dev/null || hostname 2>/dev/null || true)"
    server_name="${server_name:-_}"
fi
if [[ -z "$listen_v6" ]]; then
    if [[ -e /proc/net/if_inet6 ]]; then listen_v6="[::]"; else listen_v6=none; fi
fi

# Values go into nginx's syntax and sed's replacement: plain tokens only.
token() { [[ "$2" =~ ^[][A-Za-z0-9_.:*/-]+$ ]] || die "$1 '$2' has characters an nginx config cannot take here"; }
port() { [[ "$2" =~ ^[0-9]+$ ]] && (("$2" >= 1 && "$2" <= 65535)) || die "$1 must be a port number, not '$2'"; }
port --http-port "$http_port"
port --https-port "$https_port"
token --server-name "$server_name"
token --listen-v4 "$listen_v4"
token --listen-v6 "$listen_v6"
token --upstream "$upstream"
[[ "$upstream" =~ :[0-9]+$ ]] || die "--upstream must be HOST:PORT, not '$upstream'"
for pair in "--static-root:$static_root" "--tls-dir:$tls_dir"; do
    token "${pair%%:*}" "${pair#*:}"
    [[ "${pair#*:}" == /* ]] || die "${pair%%:*} must be an absolute path"
done
[[ "$max_body" =~ ^[0-9]+$ ]] || die "CONSORTIUM_MAX_BODY_BYTES must be a number of bytes, not '$max_body'"
[[ "$max_upload" =~ ^[0-9]+$ ]] || die "CONSORTIUM_MAX_UPLOAD_BYTES must be a number of bytes, not '$max_upload'"
[[ "$runners" =~ ^[0-9]+$ ]] || die "--runners must be a number"
suffix=":$https_port"
[[ "$https_port" != 443 ]] || suffix=""

render_nginx() {
    echo "# Rendered by Ops/deploy/install.sh from nginx-consortium.conf: change the template and re-run install.sh."
    echo "# server_name $server_name; ports $http_port (redirect) and $https_port (TLS); upstream $upstream."
    sed -e '1,/^upstream /{/^upstream /!d}' "$here/nginx-consortium.conf" |
        if [[ "$listen_v6" == none ]]; then sed -e '/@LISTEN_V6@/d'; else cat; fi |
        sed -e "s|@SERVER_NAME@|$server_name|g" -e "s|@LISTEN_V4@|$listen_v4|g" -e "s|@LISTEN_V6@|$listen_v6|g" \
            -e "s|@HTTP_PORT@|$http_port|g" -e "s|@HTTPS_PORT@|$https_port|g" -e "s|@HTTPS_PORT_SUFFIX@|$suffix|g" \
            -e "s|@UPSTREAM@|$upstream|g" -e "s|@STATIC_ROOT@|$static_root|g" -e "s|@TLS_DIR@|$tls_dir|g" \
            -e "s|@MAX_BODY_BYTES@|$max_body|g" -e "s|@MAX_UPLOAD_BYTES@|$max_upload|g"
}
if ((render_only)); then
    site="$(render_nginx)"
    if grep -n '@[A-Z0-9_]*@' <<<"$site" >&2; then die "placeholders left in the rendered site (above)"; fi
    printf '%s\n' "$site"
    exit 0
fi

# --- Preconditions. --------------------------------------------------------------------------------------------------
if ((real)); then
    [[ $(id -u) -eq 0 ]] || die "run as root (or with --root DIR to lay the files out somewhere else)"
    [[ -r /etc/debian_version ]] || die "this installs on Debian (or a derivative) only"
fi
if [[ -z "$binary" ]]; then
    command -v swift >/dev/null || die "no binary given and no swift on PATH: pass the path of a release build of consortium"
    binary="$(cd "$repo" && swift build -c release --show-bin-path)/consortium"
fi
[[ -f "$binary" && -x "$binary" ]] || die "$binary is not an executable (build it: swift build -c release --static-swift-stdlib)"
for folder in Web/templates Web/static Schema/migrations; do
    [[ -d "$repo/$folder" ]] || die "$repo/$folder is missing: run install.sh from a checkout of the project"
done

# --- Packages and the system user. ----------------------------------------------------------------------------------
if ((real)); then
    missing=()
    for package in nginx postgresql libpq5 libopenblas0 ca-certificates openssl; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if ((${#missing[@]})); then
        say "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if ! id -u consortium >/dev/null 2>&1; then
        say "creating the system user consortium"
        useradd --system --user-group --home-dir /var/lib/consortium --no-create-home --shell /usr/sbin/nologin \
            --comment "Consortium services" consortium
    fi
fi
owned() { ((real)) && chown "$@"; true; }

# --- Files. ----------------------------------------------------------------------------------------------------------
# A folder replaced as a whole, so files removed upstream go too.
copy_tree() {
    local source="$1" target="$2"
    rm -rf "$target.new" "$target.old"
    mkdir -p "$(dirname "$target")"
    cp -R "$source" "$target.new"
    chmod -R u=rwX,go=rX "$target.new"
    if [[ -e "$target" ]]; then mv "$target" "$target.old"; fi
    mv "$target.new" "$target"
    rm -rf "$target.old"
}
install -d -m 0755 "$root/usr/local/bin" "$root$share"
install -m 0755 "$binary" "$root/usr/local/bin/consortium.new"
mv -f "$root/usr/local/bin/consortium.new" "$root/usr/local/bin/consortium"
copy_tree "$repo/Web" "$root$share/Web"
copy_tree "$repo/Schema" "$root$share/Schema"
install -m 0644 "$repo/README.md" "$here/consortium.env.example" "$here/nginx-consortium.conf" "$root$share/"

# A binary that links the Swift runtime dynamically (built without --static-swift-stdlib) gets those libraries in
# /usr/local/lib/consortium/swift, found through ld.so.conf.d, so it runs on a machine without a Swift toolchain. They
# come from the toolchain on this machine or, when there is none, from beside the binary (its RUNPATH has $ORIGIN).
binary_dir="$(cd "$(dirname "$binary")" && pwd)"
runtime=()
unresolved=()
while read -r name arrow path _; do
    [[ "$arrow" == "=>" ]] || continue
    if [[ "$path" == not ]]; then
        if [[ -f "$binary_dir/$name" ]]; then runtime+=("$binary_dir/$name"); else unresolved+=("$name"); fi
    elif [[ "$path" == */swift/* || "$(dirname "$path")" == "$binary_dir" ]]; then
        runtime+=("$path")
    fi
done < <(ldd "$binary" 2>/dev/null || true)
if ((${#unresolved[@]})); then
    real_missing=()
    for name in "${unresolved[@]}"; do [[ "$name" == libswift* || "$name" == libFoundation* || "$name" == lib_Foundation* ||
        "$name" == libdispatch* || "$name" == libBlocksRuntime* ]] && real_missing+=("$name"); done
    ((${#real_missing[@]} == 0)) || die "$binary links ${real_missing[*]}, which are neither installed here nor beside it:" \
        "build it with swift build -c release --static-swift-stdlib, or copy the toolchain's usr/lib/swift/linux/*.so next to it"
fi
lib_dir=/usr/local/lib/consortium/swift
if ((${#runtime[@]})); then
    say "the binary links the Swift runtime dynamically: copying ${#runtime[@]} libraries to $lib_dir" \
        "(build with --static-swift-stdlib to avoid this)"
    rm -rf "$root$lib_dir"
    install -d -m 0755 "$root$lib_dir" "$root/etc/ld.so.conf.d"
    install -m 0644 "${runtime[@]}" "$root$lib_dir/"
    echo "$lib_dir" >"$root/etc/ld.so.conf.d/consortium-swift.conf"
else
    rm -rf "$root$lib_dir" "$root/etc/ld.so.conf.d/consortium-swift.conf"
fi
if ((real)); then
    ldconfig
    if ldd /usr/local/bin/consortium | grep "not found" >&2; then die "/usr/local/bin/consortium misses the libraries above"; fi
fi

install -d -m 0755 "$root/etc/consortium"
if [[ ! -e "$root$env_file" ]]; then
    say "writing $env_file from the example: review it (DATABASE_URL)"
    install -m 0640 "$here/consortium.env.example" "$root$env_file"
fi
chmod 0640 "$root$env_file"
owned root:consortium "$root$env_file"

install -d -m 0750 "$root/var/lib/consortium"
owned consortium:consortium "$root/var/lib/consortium"

install -d -m 0755 "$root/etc/systemd/system"
install -m 0644 "$here/consortium.service" "$here/consortium-runner@.service" "$root/etc/systemd/system/"

# --- TLS: a self-signed certificate until a real one replaces it. ---------------------------------------------------
install -d -m 0755 "$root$tls_dir"
if [[ ! -e "$root$tls_dir/fullchain.pem" || ! -e "$root$tls_dir/privkey.pem" ]]; then
    say "WARNING: no certificate in $tls_dir; making a self-signed one for $server_name. Browsers will refuse it:" \
        "replace fullchain.pem and privkey.pem with a real certificate (e.g. certbot certonly --webroot -w /var/www/html)" \
        "and reload nginx."
    cn="$server_name"
    [[ "$cn" != _ ]] || cn=localhost
    san="DNS:$cn"
    if [[ "$cn" == localhost ]]; then san="$san,IP:127.0.0.1,IP:::1"; fi
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
        -subj "/CN=$cn" -addext "subjectAltName=$san" \
        -keyout "$root$tls_dir/privkey.pem" -out "$root$tls_dir/fullchain.pem" 2>/dev/null) ||
        die "openssl could not make a certificate"
    chmod 0644 "$root$tls_dir/fullchain.pem"
fi

# --- nginx. ----------------------------------------------------------------------------------------------------------
site="$(render_nginx)"
if grep -n '@[A-Z0-9_]*@' <<<"$site" >&2; then die "placeholders left in the rendered site (above)"; fi
install -d -m 0755 "$root/etc/nginx/sites-available" "$root/etc/nginx/sites-enabled"
printf '%s\n' "$site" >"$root/etc/nginx/sites-available/consortium.new"
chmod 0644 "$root/etc/nginx/sites-available/consortium.new"
mv -f "$root/etc/nginx/sites-available/consortium.new" "$root/etc/nginx/sites-available/consortium"
ln -sfn /etc/nginx/sites-available/consortium "$root/etc/nginx/sites-enabled/consortium"
# Debian's welcome page would answer hosts that are not server_name; this site is the only one.
if [[ -L "$root/etc/nginx/sites-enabled/default" ]]; then
    say "disabling nginx's default site"
    rm -f "$root/etc/nginx/sites-enabled/default"
fi

if ((!real)); then
    say "laid out under $root (no packages, user, database or services touched)"
    exit 0
fi
nginx -t -q || die "nginx -t failed on /etc/nginx/sites-available/consortium (see above)"

# --- The database: the role and database for the local default, then migrations. ------------------------------------
systemd=0
[[ -d /run/systemd/system ]] && systemd=1
database_url="$(env_value DATABASE_URL "$env_file")"
as_service() { (cd "$share" && runuser -u consortium -- env -i PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"); }
migrated=0
if [[ "$database_url" =~ host=(/var)?/run/postgresql ]]; then
    ((systemd)) && systemctl enable --now -q postgresql
    if runuser -u postgres -- psql -XAtqc "SELECT 1" >/dev/null 2>&1; then
        if ! runuser -u postgres -- psql -XAtqc "SELECT 1 FROM pg_roles WHERE rolname = 'consortium'" | grep -q 1; then
            say "creating the PostgreSQL role consortium"
            runuser -u postgres -- createuser consortium
        fi
        if ! runuser -u postgres -- psql -XAtqc "SELECT 1 FROM pg_database WHERE datname = 'consortium'" | grep -q 1; then
            say "creating the PostgreSQL database consortium"
            runuser -u postgres -- createdb --owner consortium --encoding UTF8 --template template0 consortium
        fi
    else
        say "PostgreSQL is not running: start it (pg_ctlcluster <version> main start) and re-run install.sh to create" \
            "the role and database and migrate"
        database_url=""
    fi
fi
if [[ -n "$database_url" ]]; then
    say "migrating"
    as_service DATABASE_URL="$database_url" DATABASE_POOL_SIZE=2 /usr/local/bin/consortium migrate \
        --schema-dir "$share/Schema" >&2 || die "migration failed: check DATABASE_URL in $env_file, then re-run"
    migrated=1
fi
# The new binary checks the whole file; older ones have no `config` command.
if /usr/local/bin/consortium --help 2>/dev/null | grep -qE '^ +config( |$)'; then
    as_service CONSORTIUM_CONFIG="$env_file" /usr/local/bin/consortium config >/dev/null ||
        die "$env_file has a mistake (above)"
fi

# --- Services. -------------------------------------------------------------------------------------------------------
units=(consortium)
for ((i = 1; i <= runners; i++)); do units+=("consortium-runner@$i"); done
if ((systemd)); then
    systemctl daemon-reload
    # An upgrade: running services restart on the new binary; then everything wanted is enabled and started.
    systemctl try-restart consortium 'consortium-runner@*'
    systemctl enable --now -q "${units[@]}"
    systemctl enable -q nginx
    systemctl reload-or-restart nginx
    ((migrated)) || say "the services will fail until the database is reachable and migrated; re-run install.sh then"
    say "done: systemctl status ${units[*]} nginx"
else
    say "systemd is not running here; start the services yourself:"
    echo "    systemctl daemon-reload && systemctl enable --now ${units[*]} && systemctl reload-or-restart nginx"
    echo "    (without systemd: runuser -u consortium -- /usr/local/bin/consortium serve, as the unit does, and nginx)"
fi
