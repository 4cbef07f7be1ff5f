#!/usr/bin/env bash
# Tests Ops/backup and Ops/restore end to end: the demo consortium with its evaluations run and a few imported
# artifacts, backed up, wiped (database dropped, data directory deleted), and restored into a fresh PostgreSQL cluster
# ("test-restore", stopped and removed on exit); then every table's rows, every sequence, the schema and every stored
# file must be identical, and damaged backups, non-empty targets and a non-empty backup folder must be refused
# without touching anything. One line per check.
#
#   Ops/scripts/test-backup.sh      (needs TEST_DATABASE_URL's cluster, as Ops/test starts it; uses $CONSORTIUM_BIN)
#
# Unix sockets only, no stdin, bounded by TEST_BACKUP_TIMEOUT seconds (default 600).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

if [[ -z "${TEST_BACKUP_BOUNDED:-}" ]]; then
    limit="${TEST_BACKUP_TIMEOUT:-600}"
    status=0
    TEST_BACKUP_BOUNDED=1 timeout -k 30 "$limit" bash "${BASH_SOURCE[0]}" "$@" </dev/null || status=$?
    ((status != 124)) || echo "test-backup: FAIL timed out after $limit s" >&2
    exit "$status"
fi

: "${TEST_DATABASE_URL:?start a cluster first (Ops/test does)}"
bin="${CONSORTIUM_BIN:-$(swift build --show-bin-path)/consortium}"
[[ -x "$bin" ]] || { echo "test-backup: $bin is not an executable; build first or set CONSORTIUM_BIN" >&2; exit 1; }
src_url="${TEST_DATABASE_URL/dbname=consortium/dbname=backup_src}"
[[ "$src_url" != "$TEST_DATABASE_URL" ]] || { echo "test-backup: TEST_DATABASE_URL must name dbname=consortium" >&2; exit 1; }
# The same text from both servers whatever the client's environment says.
export PGTZ=UTC PGDATESTYLE="ISO, YMD" PGCLIENTENCODING=UTF8 PGCONNECT_TIMEOUT=10 PGOPTIONS="-c client_min_messages=warning"
unset DATABASE_URL PGDATABASE PGHOST PGUSER PGPASSWORD PGSERVICE

cluster=test-restore
clusters="${CONSORTIUM_DATA_DIR:-$root/.data}"
work="$(mktemp -d)"
# Nothing from a machine-wide /etc/consortium/consortium.env: every command here names its database and data folder.
: >"$work/empty.env"
export CONSORTIUM_CONFIG="$work/empty.env"
data="$work/data"             # the data directory: backed up, deleted, restored into
drop_cluster() {
    bash Ops/scripts/db.sh --cluster "$cluster" stop >/dev/null 2>&1 || true
    rm -rf "$(readlink -f "$clusters/$cluster" 2>/dev/null || echo "${clusters:?}/$cluster")" "${clusters:?}/$cluster"
}
cleanup() {
    drop_cluster
    psql -Xq -d "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS backup_src" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() { echo "test-backup: ok   $*"; }
fail() { echo "test-backup: FAIL $*" >&2; exit 1; }
q() { psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }  # $1: connection, $2: SQL → unaligned rows
tables_in() { q "$1" "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"; }

# Each table's row count and the SHA-256 of its rows (COPY text, ordered by the row's text in the C collation, a
# total order that works for every column type), each sequence, and the schema as pg_dump prints it.
fingerprint() {  # $1: connection, $2: output prefix
    local table
    q "$1" "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY 1" | while read -r table; do
        echo "$table $(q "$1" "SELECT count(*) FROM public.$table") $(psql -XAq -v ON_ERROR_STOP=1 -d "$1" \
            -c "COPY (SELECT * FROM public.$table AS r ORDER BY r::text COLLATE \"C\") TO STDOUT" | sha256sum | cut -c1-64)"
    done >"$2.tables"
    q "$1" "SELECT sequencename, coalesce(last_value::text, 'not called'), start_value, increment_by, min_value, max_value, cycle
              FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1" >"$2.sequences"
    pg_dump --schema-only --no-owner --no-acl -d "$1" | grep -Ev '^\\(un)?restrict |^-- Dumped (from|by)' >"$2.schema"
}
# Every file of the store but tmp/: its SHA-256, and its mode, size and modification time (folders: their mode).
store_fingerprint() {  # $1: data directory, $2: output prefix
    (cd "$1/artifacts" && find . -path ./tmp -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) >"$2.bytes"
    (cd "$1/artifacts" && find . -path ./tmp -prune -o -type d -printf '%p/ %m\n' -o -printf '%p %y %m %s %Ts\n' | LC_ALL=C sort) >"$2.meta"
}
flip_byte() {  # $1: file; flips the lowest bit of its middle byte
    local offset byte
    offset=$(($(stat -c %s "$1") / 2))
    byte="$(od -An -tu1 -j "$offset" -N1 "$1" | tr -d ' ')"
    # shellcheck disable=SC2059
    printf "$(printf '\\%03o' $((byte ^ 1)))" | dd of="$1" bs=1 seek="$offset" conv=notrunc status=none
}
expect_refusal() {  # $1: what, $2: expected text in stderr, rest: command; must fail, saying $2
    local what="$1" text="$2" status=0
    shift 2
    "$@" >"$work/out" 2>"$work/err" || status=$?
    ((status != 0)) || fail "$what: succeeded, should have been refused"
    grep -qF -- "$text" "$work/err" || fail "$what: refused without saying '$text': $(cat "$work/err")"
    [[ $(grep -c . "$work/err") == 1 ]] || fail "$what: more than one error line: $(cat "$work/err")"
}

# --- The source: the demo with its evaluations run, imported artifacts, a token, a leftover upload ---------------
psql -Xq -v ON_ERROR_STOP=1 -d "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS backup_src" -c "CREATE DATABASE backup_src" >/dev/null
export DATABASE_URL="$src_url"
"$bin" migrate --log-level error >/dev/null
# The downloaded models (tens of MB) stay out: the tiny test checkpoints and the demo datasets are enough.
"$bin" seed --demo --evaluations --data-dir "$data" --minilm-dir "$work/none" --smollm2-file "$work/none.gguf" --log-level error >/dev/null
"$bin" runner --until-idle --no-scheduler --data-dir "$data" --log-level error >/dev/null
mkdir -p "$work/import/sub" "$work/draft"
head -c 300000 /dev/urandom >"$work/import/weights.bin"
: >"$work/import/empty.txt"
cp Tests/InferenceTests/Fixtures/tiny-gpt2/config.json "$work/import/sub/config.json"  # content the demo stored already
echo "a draft's notes $RANDOM" >"$work/draft/notes.md"
group="$(q "$DATABASE_URL" "SELECT slug FROM working_groups ORDER BY slug LIMIT 1")"
"$bin" artifacts import "$work/import" --group "$group" --kind dataset --slug backup-test --data-dir "$data" --actor test --log-level error >/dev/null
"$bin" artifacts import "$work/draft" --group "$group" --kind report --slug backup-draft --draft --data-dir "$data" --actor test --log-level error >/dev/null
admin="$(q "$DATABASE_URL" "SELECT email FROM members WHERE is_admin ORDER BY email LIMIT 1")"
"$bin" tokens create --member "$admin" --scope admin --expires 1d --name backup-test --log-level error >/dev/null 2>"$work/token.log" ||
    fail "tokens create failed: $(cat "$work/token.log")"
# Content no file refers to any more (a replaced draft file, say): kept by the store until a gc, so backed up too.
orphan="$work/orphan"; echo "orphaned content $RANDOM" >"$orphan"
orphan_sha="$(sha256sum <"$orphan" | cut -c1-64)"
mkdir -p "$data/artifacts/sha256/${orphan_sha:0:2}" && cp "$orphan" "$data/artifacts/sha256/${orphan_sha:0:2}/$orphan_sha"
echo "half an upload" >"$data/artifacts/tmp/upload-leftover"
[[ "$(q "$DATABASE_URL" "SELECT count(*) FROM results")" -gt 0 ]] || fail "the runner recorded no results"
objects="$(find "$data/artifacts/sha256" -type f | wc -l)"
ok "source: demo consortium with evaluations run, $(q "$DATABASE_URL" "SELECT count(*) FROM artifact_files") artifact files, $objects stored objects"

fingerprint "$DATABASE_URL" "$work/before"
store_fingerprint "$data" "$work/before-store"
ok "fingerprinted $(wc -l <"$work/before.tables") tables ($(awk '{ s += $2 } END { print s }' "$work/before.tables") rows), $(wc -l <"$work/before.sequences") sequences, $(wc -l <"$work/before-store.bytes") stored files"

# --- Backups that must be refused --------------------------------------------------------------------------------
mkdir "$work/occupied" && echo keep >"$work/occupied/note"
expect_refusal "backup into a non-empty folder" "is not empty" Ops/backup --database-url "$src_url" --data-dir "$data" "$work/occupied"
[[ "$(ls -A "$work/occupied")" == note && "$(cat "$work/occupied/note")" == keep ]] || fail "the non-empty folder was changed"
[[ -z "$(find "$work" -maxdepth 1 -name '.*partial*')" ]] || fail "a refused backup left a partial folder"
ok "backup into a non-empty folder: refused, folder untouched"

victim="$(q "$DATABASE_URL" "SELECT sha256 FROM artifact_files ORDER BY sha256 LIMIT 1")"
mv "$data/artifacts/sha256/${victim:0:2}/$victim" "$work/victim"
expect_refusal "backup with a referenced object missing" "content $victim" Ops/backup --database-url "$src_url" --data-dir "$data" "$work/incomplete"
[[ ! -e "$work/incomplete" && -z "$(find "$work" -maxdepth 1 -name '.*partial*')" ]] || fail "a failed backup left a folder behind"
mv "$work/victim" "$data/artifacts/sha256/${victim:0:2}/$victim"
ok "backup whose store lacks content the dump refers to: fails naming it, leaves no folder"

# --- The backup -------------------------------------------------------------------------------------------------
mkdir "$work/backup"   # an existing empty folder is accepted
Ops/backup --database-url "$src_url" --data-dir "$data" "$work/backup" >"$work/backup.log"
held="$(cd "$work/backup" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort | paste -sd' ')"
[[ "$held" == "MANIFEST SHA256SUMS artifacts.tar database.dump" ]] || fail "the backup holds $held"
(cd "$work/backup" && sha256sum --check --quiet SHA256SUMS) || fail "the backup does not match its SHA256SUMS"
[[ "$(sed -n 's/^schema_version: \([0-9]*\) .*/\1/p' "$work/backup/MANIFEST")" == "$(q "$DATABASE_URL" "SELECT max(version) FROM schema_migrations")" ]] ||
    fail "MANIFEST's schema version is not the database's"
[[ "$(sed -n 's/^stored_objects: //p' "$work/backup/MANIFEST")" == "$objects" ]] || fail "MANIFEST does not count $objects stored objects"
[[ "$(sed -n 's/^rows: //p' "$work/backup/MANIFEST")" == "$(awk '{ s += $2 } END { print s }' "$work/before.tables")" ]] ||
    fail "MANIFEST's row count is not the database's"
tar -tf "$work/backup/artifacts.tar" >"$work/archived"
! grep -q 'upload-leftover' "$work/archived" || fail "the partial upload in tmp/ was archived"
ok "backup: $(tail -1 "$work/backup.log" | sed 's/^backup: //')"
ok "backup: exactly database.dump, artifacts.tar, MANIFEST, SHA256SUMS; checksums, schema version and counts right; tmp/ left out"

# --- Wipe, and a fresh cluster ----------------------------------------------------------------------------------
q "$TEST_DATABASE_URL" "DROP DATABASE backup_src" >/dev/null
rm -rf "$data"
[[ "$(q "$TEST_DATABASE_URL" "SELECT count(*) FROM pg_database WHERE datname = 'backup_src'")" == 0 && ! -e "$data" ]] || fail "the wipe failed"
unset DATABASE_URL
drop_cluster
bash Ops/scripts/db.sh --cluster "$cluster" --test start >/dev/null
dst_url="$(bash Ops/scripts/db.sh --cluster "$cluster" url)"
ok "wiped: source database dropped, data directory deleted; fresh cluster $cluster started"

# --- Damaged backups: refused before anything is written ----------------------------------------------------------
untouched() {  # $1: what
    [[ "$(tables_in "$dst_url")" == 0 ]] || fail "$1: the target database was changed"
    [[ ! -e "$data" ]] || fail "$1: the target data directory was created"
}
damaged() {  # $1: name of a copy of the good backup
    rm -rf "${work:?}/$1" && cp -a "$work/backup" "$work/$1"
}
for file in artifacts.tar database.dump; do
    damaged "flipped"
    flip_byte "$work/flipped/$file"
    expect_refusal "one flipped byte in $file" "$file does not match SHA256SUMS" Ops/restore --database-url "$dst_url" --data-dir "$data" "$work/flipped"
    untouched "one flipped byte in $file"
    ok "restore of a backup with one flipped byte in $file: refused naming it, target untouched"
done

damaged "missing" && rm "$work/missing/MANIFEST"
expect_refusal "a backup without MANIFEST" "MANIFEST is missing" Ops/restore --database-url "$dst_url" --data-dir "$data" "$work/missing"
untouched "a backup without MANIFEST"
ok "restore of a backup with a file missing: refused naming it, target untouched"

# Consistent checksums, but the archive lacks content the dump refers to, or holds an object whose bytes changed.
repack() {  # $1: backup copy; re-archives $work/repack as its artifacts.tar and rewrites SHA256SUMS
    tar -cf "$work/$1/artifacts.tar" -C "$work/repack" --numeric-owner .
    (cd "$work/$1" && sha256sum database.dump artifacts.tar MANIFEST >SHA256SUMS)
    rm -rf "$work/repack"
}
damaged "lacking" && mkdir "$work/repack" && tar -xf "$work/backup/artifacts.tar" -C "$work/repack"
rm "$work/repack/sha256/${victim:0:2}/$victim" && repack "lacking"
expect_refusal "an archive lacking referenced content" "content $victim" Ops/restore --database-url "$dst_url" --data-dir "$data" "$work/lacking"
untouched "an archive lacking referenced content"
ok "restore of a backup (checksums consistent) whose archive lacks content the dump refers to: refused naming it, target untouched"

damaged "rotten" && mkdir "$work/repack" && tar -xf "$work/backup/artifacts.tar" -C "$work/repack"
flip_byte "$work/repack/sha256/${victim:0:2}/$victim" && repack "rotten"
expect_refusal "an archived object with changed bytes" "stored object $victim" Ops/restore --database-url "$dst_url" --data-dir "$data" "$work/rotten"
untouched "an archived object with changed bytes"
ok "restore of a backup (checksums consistent) with an object whose bytes do not match its name: refused naming it, target untouched"

# --- The restore --------------------------------------------------------------------------------------------------
Ops/restore --database-url "$dst_url" --data-dir "$data" "$work/backup" >"$work/restore.log"
ok "restore: $(grep 'database restored' "$work/restore.log" | sed 's/^restore: //')"

fingerprint "$dst_url" "$work/after"
store_fingerprint "$data" "$work/after-store"
diff "$work/before.tables" "$work/after.tables" >&2 || fail "table rows differ after the restore (table, rows, SHA-256 above)"
ok "every table identical: $(wc -l <"$work/after.tables") tables, $(awk '{ s += $2 } END { print s }' "$work/after.tables") rows, same row counts and SHA-256 of their rows"
diff "$work/before.sequences" "$work/after.sequences" >&2 || fail "sequences differ after the restore"
ok "every sequence identical: $(cut -d'|' -f1-2 "$work/after.sequences" | tr '|' '=' | paste -sd' ')"
# PostgreSQL prints a re-parsed expression with other parentheses ("a BETWEEN 1 AND 500 AND b" comes back nested
# one level less), so the schemas are compared without them.
diff <(tr -d '()' <"$work/before.schema") <(tr -d '()' <"$work/after.schema") >&2 || fail "the schema differs after the restore"
ok "schema identical (pg_dump --schema-only: tables, columns, constraints, indexes, btree_gist), up to the parentheses of CHECK expressions"
diff "$work/before-store.bytes" "$work/after-store.bytes" >&2 || fail "stored files differ after the restore"
ok "every stored file byte-identical: $(wc -l <"$work/after-store.bytes") files, same paths and SHA-256 (the orphaned object included)"
diff "$work/before-store.meta" "$work/after-store.meta" >&2 || fail "stored files' modes or times differ after the restore"
ok "stored files keep their modes and modification times (the gc's grace period counts from them)"
[[ ! -e "$data/artifacts/tmp/upload-leftover" && -d "$data/artifacts/tmp" ]] || fail "tmp/ was not restored empty"
ok "the partial upload in tmp/ was not restored; tmp/ exists, empty"

"$bin" migrate --dry-run --database-url "$dst_url" --log-level error >"$work/migrate.log"
grep -qx "Schema is up to date." "$work/migrate.log" || fail "the restored schema is not current: $(cat "$work/migrate.log")"
ok "consortium migrate --dry-run on the restored database: schema is up to date (checksums match)"
run="$(q "$dst_url" "SELECT id FROM runs WHERE status = 'succeeded' ORDER BY finished_at LIMIT 1")"
"$bin" eval rerun "$run" --database-url "$dst_url" --data-dir "$data" --log-level error >"$work/rerun.log" 2>&1 ||
    fail "eval rerun of $run on the restored data failed: $(tail -3 "$work/rerun.log")"
ok "consortium eval rerun $run on the restored database and store reproduces every metric"

# --- Restores that must be refused --------------------------------------------------------------------------------
expect_refusal "restore into a non-empty database" "is not empty" Ops/restore --database-url "$dst_url" --data-dir "$work/other-data" "$work/backup"
[[ ! -e "$work/other-data" ]] || fail "a refused restore created the data directory"
fingerprint "$dst_url" "$work/again"
cmp -s "$work/after.tables" "$work/again.tables" || fail "a refused restore changed the database"
ok "restore into a non-empty database: refused, database and data directory untouched"

q "$dst_url" "CREATE DATABASE restore_empty" >/dev/null
empty_url="${dst_url/dbname=consortium/dbname=restore_empty}"
store_fingerprint "$data" "$work/occupied-store"
expect_refusal "restore into a non-empty artifact store" "artifacts is not empty" Ops/restore --database-url "$empty_url" --data-dir "$data" "$work/backup"
[[ "$(tables_in "$empty_url")" == 0 ]] || fail "a refused restore changed the empty database"
cmp -s "$work/after-store.bytes" "$work/occupied-store.bytes" || fail "a refused restore changed the store"
ok "restore into a non-empty artifact store: refused, database and store untouched"

echo "test-backup: all checks passed"
