#!/usr/bin/env bash
# Helpers shared by Ops/backup and Ops/restore; sourced, never run.
#
#   source Ops/scripts/backup-lib.sh
#
# The backup format (version 1), a folder holding exactly:
#   database.dump   pg_dump --format=custom --no-acl of the whole database (one snapshot); restore it with
#                   pg_restore --no-owner, as Ops/restore does, into a cluster whose roles differ
#   artifacts.tar   the content store (artifacts/ under the data directory) without its tmp/ folder
#   MANIFEST        "key: value" lines: format, date, versions, schema version, counts
#   SHA256SUMS      sha256sum lines for the three files above

# The formats this library writes and reads.
# shellcheck disable=SC2034  # used by the scripts that source this
BACKUP_FORMAT="consortium-backup 1"
# shellcheck disable=SC2034
BACKUP_FILES=(database.dump artifacts.tar MANIFEST)

# A connection string with any password hidden (URI "user:secret@" or keyword "password=secret").
backup_redact() {
    sed -E -e 's#(://[^:/@?]*):[^@/?]*@#\1:***@#' -e 's#([?&]password=)[^&]*#\1***#' \
        -e "s#password[[:space:]]*=[[:space:]]*('([^'\\\\]|\\\\.)*'|[^[:space:]]+)#password=***#" <<<"$1"
}

# What every `consortium` command connects to without DATABASE_URL: the local cluster under the data directory.
backup_local_url() {  # $1: data directory
    local socket
    socket="$(readlink -f "$1/postgres" 2>/dev/null || echo "$1/postgres")"
    echo "host='${socket//\'/\\\'}' dbname=consortium user=consortium"
}

# Reads the data section of a custom-format dump (without a database) into three files in $2:
#   rows            "schema.table N" for every table in the dump, sorted
#   files           "sha256 size_bytes" for every row of artifact_files
#   schema_version  "VERSION NAME" of the highest row of schema_migrations (empty when there is none)
# Fails when pg_restore cannot read the dump.
backup_read_dump() {  # $1: dump file, $2: output folder
    local dump="$1" out="$2"
    : >"$out/files"
    pg_restore --data-only --file=- "$dump" | LC_ALL=C awk -v rows="$out/rows.unsorted" -v files="$out/files" \
        -v migrations="$out/migrations" '
        copying && $0 == "\\." { print table, n > rows; copying = 0; next }
        copying {
            n++
            if (table == "public.artifact_files" || table == "public.schema_migrations") {
                split($0, field, "\t")
                if (table == "public.artifact_files") print field[col["sha256"]], field[col["size_bytes"]] > files
                else print field[col["version"]], field[col["name"]] > migrations
            }
            next
        }
        /^COPY .* FROM stdin;$/ {
            line = $0
            sub(/^COPY /, "", line)
            table = line; sub(/ \(.*$/, "", table); sub(/ FROM stdin;$/, "", table)
            columns = line; delete col
            if (sub(/^[^(]*\(/, "", columns) && sub(/\) FROM stdin;$/, "", columns)) {
                count = split(columns, name, ", ")
                for (i = 1; i <= count; i++) { gsub(/"/, "", name[i]); col[name[i]] = i }
            }
            copying = 1; n = 0
            next
        }
        END { if (copying) exit 3 }'
    local status=("${PIPESTATUS[@]}")
    ((status[0] == 0 && status[1] == 0)) || return 1
    touch "$out/rows.unsorted" "$out/migrations"
    LC_ALL=C sort "$out/rows.unsorted" >"$out/rows"
    LC_ALL=C sort -n "$out/migrations" | tail -1 >"$out/schema_version"
    rm -f "$out/rows.unsorted" "$out/migrations"
}

# "path size" of every regular file in a tar archive, one a line (names in the store never hold spaces).
backup_tar_files() {  # $1: archive
    LC_ALL=C tar --list --verbose --numeric-owner --file="$1" | awk '$1 ~ /^-/ { print $6, $3 }'
}

# From "path size" lines, "sha256 size" of the store's objects: files named sha256/ab/ab… (64 lowercase hex digits).
backup_objects() {
    LC_ALL=C awk '{
        n = split($1, part, "/")
        if (n == 4 && part[1] == "." && part[2] == "sha256" && length(part[4]) == 64 && part[4] ~ /^[0-9a-f]+$/ \
            && part[3] == substr(part[4], 1, 2)) print part[4], $2
    }'
}

# The value of NAME in the config file every `consortium` command reads (--config, else $CONSORTIUM_CONFIG, else
# /etc/consortium/consortium.env when it exists): NAME=VALUE lines, # comments, an optional "export ", values
# optionally in single quotes (literal) or double quotes (backslash escapes). Prints nothing when unset.
backup_config_value() {  # $1: the file from --config, or empty; $2: NAME
    local path="${1:-${CONSORTIUM_CONFIG:-}}" name="$2" line key value
    if [[ -z "$path" ]]; then
        [[ -f /etc/consortium/consortium.env ]] || return 0
        path=/etc/consortium/consortium.env
    fi
    [[ -r "$path" && ! -d "$path" ]] || { echo "the config file $path does not exist or cannot be read" >&2; return 1; }
    while IFS= read -r line || [[ -n "$line" ]]; do
        line="${line%$'\r'}"
        line="${line#"${line%%[![:space:]]*}"}"
        line="${line%"${line##*[![:space:]]}"}"
        [[ -z "$line" || "$line" == "#"* ]] && continue
        [[ "$line" == "export "* ]] && line="${line#export }" && line="${line#"${line%%[![:space:]]*}"}"
        [[ "$line" == *=* ]] || continue
        key="${line%%=*}"
        key="${key%"${key##*[![:space:]]}"}"
        [[ "$key" == "$name" ]] || continue
        value="${line#*=}"
        value="${value#"${value%%[![:space:]]*}"}"
        if [[ "$value" == \'*\' && ${#value} -ge 2 ]]; then
            value="${value:1:${#value}-2}"
        elif [[ "$value" == \"*\" && ${#value} -ge 2 ]]; then
            value="$(sed -E 's/\\(.)/\1/g' <<<"${value:1:${#value}-2}")"
        fi
        printf '%s\n' "$value"
        return 0
    done <"$path"
}
