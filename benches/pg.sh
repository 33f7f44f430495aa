#!/usr/bin/env bash
# SQLite against PostgreSQL on the reference workload, in the same run: import time (one
# transaction, index built before the commit), database size, and in-process suggest latency
# (benches/pg.rs: median and p95 over the first NQ queries, en → fr) with a digest of every
# suggestion, which must be equal on both backends (same index layout, same scorer).
#
#   TMM_BENCH_PG=postgresql://user@host/postgres benches/pg.sh [TAG] [NQ]
#
# TAG is 100k (default) or 1m, data in $TMM_BENCH_DATA (default bench-data); the PostgreSQL
# side runs in a database made for the run on the server TMM_BENCH_PG names and dropped
# after. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-100k}
nq=${2:-1000}
data=${TMM_BENCH_DATA:-bench-data}
admin=${TMM_BENCH_PG:?set TMM_BENCH_PG to a PostgreSQL server URL (its database is only used to create another)}
tmx=$data/corpus_$tag.tmx
queries=$data/queries_$tag.jsonl
[ -f "$tmx" ] && [ -f "$queries" ] || { echo "no $tmx or $queries (../shared/bench/gen_corpus.py makes them)" >&2; exit 2; }
cargo build --release --quiet
cargo bench --bench pg --no-run --quiet 2>/dev/null
bench=$(ls -t target/release/deps/pg-* | grep -v '\.d$' | head -1)
bin=target/release/tmm
work=$(mktemp -d)
pgdb="tmm_bench_$$"
base=${admin%/*}
pgurl="$base/$pgdb"
cleanup() {
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
psql -q "$admin" -c "CREATE DATABASE $pgdb" >/dev/null

seconds() { /usr/bin/time -f '%e' -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }; cat "$work/t"; }
size_mb() { "$bin" --db "$1" stats --json | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["database_bytes"]/1048576, 1))'; }

units=$(grep -c '<tu[ >]' "$tmx")
echo "| $tag ($units units) | import s | DB MB | suggest median ms | p95 ms | mean ms | queries with a match | suggestions digest |"
echo "|---|---|---|---|---|---|---|---|"
declare -A row
for backend in sqlite postgresql; do
    db=$work/tm.db
    [ $backend = postgresql ] && db=$pgurl
    imp=$(seconds "$bin" --db "$db" import "$tmx")
    mb=$(size_mb "$db")
    json=$("$bench" --db "$db" --queries "$queries" --nq "$nq")
    read -r med p95 mean found digest < <(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(j["median_ms"], j["p95_ms"], j["mean_ms"], j["found"], j["suggestions_digest"])' "$json")
    row[$backend]="$imp $mb $med $p95 $mean"
    echo "| $backend | $imp | $mb | $med | $p95 | $mean | $found / $nq | $digest |"
done
read -r si sm smed sp95 _ <<<"${row[sqlite]}"
read -r pi pm pmed pp95 _ <<<"${row[postgresql]}"
echo
echo "PostgreSQL / SQLite: import $(echo "scale=2; $pi / $si" | bc)×, size $(echo "scale=2; $pm / $sm" | bc)×, suggest median $(echo "scale=2; $pmed / $smed" | bc)×, p95 $(echo "scale=2; $pp95 / $sp95" | bc)×"
