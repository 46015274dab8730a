#!/usr/bin/env bash
# Ingest N events in UCDP GED's layout (default 1,000,000, drawn by
# bench/ucdpgen from the real file's distributions) into a new SQLite store
# with `entente monitor ingest` against examples/minsk-2015, side by side
# with the sqlite3 command line's .import of the same CSV into a table with
# the same indexes as entente's events table. Then a report over the stored
# events, on SQLite and (with PG=1) on PostgreSQL. Run from anywhere:
#   bash bench/monitor-ingest.sh            # N=1000000
#   N=100000 PG=1 bash bench/monitor-ingest.sh
# Prints one line per command: wall, user and system seconds, peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${N:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
command -v sqlite3 >/dev/null || { echo "install sqlite3 (apt-get install sqlite3)" >&2; exit 2; }

go run ./bench/ucdpgen -n "$n" -from ../shared/data/ucdp-ged-ukraine-2014-2019.csv > "$work/ged.csv"
go build -o "$work/entente" ./cmd/entente
cp examples/minsk-2015/settlement.yaml examples/minsk-2015/*.geojson "$work/"
echo "$n events, $(du -h "$work/ged.csv" | cut -f1) of CSV"

# The events table's indexes, on the CSV's own columns: the natural key;
# (day, source, unattributed); violating events by (day, side, zone);
# unattributed events by (day, date, source, id); the classifier.
header="$(head -1 "$work/ged.csv")"
cat > "$work/import.sql" <<SQL
CREATE TABLE ged ($header);
CREATE UNIQUE INDEX ged_key ON ged (id);
CREATE INDEX ged_day ON ged (date_start, country, where_prec);
CREATE INDEX ged_violating ON ged (date_start, side_a, adm_1) WHERE CAST(best AS INTEGER) > 0;
CREATE INDEX ged_unattributed ON ged (date_start, date_end, country, id) WHERE side_a NOT IN ('Government of Ukraine', 'Government of Russia (Soviet Union)');
CREATE INDEX ged_classifier ON ged (region);
.mode csv
.import --skip 1 $work/ged.csv ged
SQL

t() { /usr/bin/time -f "$1: %e s wall, %U s user, %S s sys, %M KiB peak" "${@:2}"; }
t "sqlite3 .import" sh -c "sqlite3 '$work/import.db' < '$work/import.sql'"
t "entente monitor ingest (SQLite)" "$work/entente" monitor ingest --settlement "$work/settlement.yaml" "$work/ged.csv" >/dev/null
t "entente monitor report (SQLite)" "$work/entente" monitor report --settlement "$work/settlement.yaml" --json >/dev/null
if [ "${PG:-}" = 1 ]; then
  db="entente_bench_$$"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" postgres
  url="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
  t "entente monitor ingest (PostgreSQL)" "$work/entente" monitor ingest --settlement "$work/settlement.yaml" --db "$url" "$work/ged.csv" >/dev/null
  t "entente monitor report (PostgreSQL)" "$work/entente" monitor report --settlement "$work/settlement.yaml" --db "$url" --json >/dev/null
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $db WITH (FORCE)" postgres
fi
