#!/usr/bin/env bash
# SQLite against PostgreSQL on the reference workload, in the same run:
# 1. import time (one transaction, index built before the commit), database size, and
#    in-process suggest latency (benches/pg.rs: median and p95 over the first NQ queries,
#    en → fr) with a digest of every suggestion, which must be equal on both backends (same
#    index layout, same scorer); on PostgreSQL also the statements and rows per lookup
#    (pg_stat_statements, when the server preloads it: the script then creates the
#    extension in TMM_BENCH_PG's database if it is missing, and resets its counts);
# 2. suggest latency through `tmm serve` (wrk, one connection, benches/serve.lua), SQLite and
#    PostgreSQL alternately, each twice;
# 3. lookup throughput under 16 connections: one `tmm serve` on SQLite, one on PostgreSQL,
#    and two on the same PostgreSQL database sharing the same 16 connections (two wrk, 8
#    each), in two rounds, with the CPU seconds tmm, wrk and (given TMM_BENCH_PG_PID, the
#    postmaster's pid, on this machine) PostgreSQL's backends took;
# 4. the anchor, Weblate's way: a pg_trgm GIN index (gin_trgm_ops) on the English source
#    texts only (a partial index, WHERE lang = 'en'), `text % $1` at similarity threshold
#    0.5, then tmm's scorer on the candidates, beside tmm's own index query by query, with
#    latency and recall (benches/pg.rs --anchor).
#
#   TMM_BENCH_PG=postgresql://user@host/postgres benches/pg.sh [TAG] [NQ]
#
# TAG is 100k (default) or 1m, data in $TMM_BENCH_DATA (default bench-data); the PostgreSQL
# side runs in a database made for the run on the server TMM_BENCH_PG names and dropped
# after. TMM_BENCH_SKIP=serve,anchor leaves parts 2–3 or 4 out; TMM_BENCH_SECONDS (default
# 20) is each wrk run's length; TMM_BENCH_ANCHOR_NQ (default NQ) how many queries part 4
# runs (pg_trgm takes seconds a query at 1M). Needs psql, and wrk for parts 2–3. Prints Markdown tables.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-100k}
nq=${2:-1000}
data=${TMM_BENCH_DATA:-bench-data}
admin=${TMM_BENCH_PG:?set TMM_BENCH_PG to a PostgreSQL server URL (its database is only used to create another)}
skip=${TMM_BENCH_SKIP:-}
duration=${TMM_BENCH_SECONDS:-20}
pg_pid=${TMM_BENCH_PG_PID:-}
anchor_nq=${TMM_BENCH_ANCHOR_NQ:-$nq}
tmx=$data/corpus_$tag.tmx
queries=$data/queries_$tag.jsonl
gt=$data/gt_$tag.jsonl
[ -f "$tmx" ] && [ -f "$queries" ] || { echo "no $tmx or $queries (../shared/bench/gen_corpus.py makes them)" >&2; exit 2; }
cargo build --release --quiet
cargo bench --bench pg --no-run --quiet 2>/dev/null
bench=$(ls -t target/release/deps/pg-* | grep -v '\.d$' | head -1)
bin=target/release/tmm
work=$(mktemp -d)
pgdb="tmm_bench_$$"
base=${admin%/*}
pgurl="$base/$pgdb"
servers=()
cleanup() {
    for s in "${servers[@]}"; do kill "$s" 2>/dev/null && wait "$s" 2>/dev/null; done
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
psql -q "$admin" -c "CREATE DATABASE $pgdb" >/dev/null
# pg_stat_statements counts the statements of a lookup, when the server preloads it.
stats=
if psql -qtA "$admin" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT 1 FROM pg_stat_statements LIMIT 1" >/dev/null 2>&1; then
    stats=1
fi
sql() { psql -qtA "$1" -c "$2"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

seconds() { /usr/bin/time -f '%e' -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }; cat "$work/t"; }
size_mb() { "$bin" --db "$1" stats --json | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["database_bytes"]/1048576, 1))'; }

echo "machine: $(nproc) cores, $(uname -sr), PostgreSQL $(sql "$admin" 'SHOW server_version'), shared_buffers $(sql "$admin" 'SHOW shared_buffers'), work_mem $(sql "$admin" 'SHOW work_mem'), fsync $(sql "$admin" 'SHOW fsync'); load at the start: $(load)"
echo
units=$(grep -c '<tu[ >]' "$tmx")
echo "| $tag ($units units) | import s | DB MB | suggest median ms | p95 ms | mean ms | queries with a match | suggestions digest | load |"
echo "|---|---|---|---|---|---|---|---|---|"
declare -A row
for backend in sqlite postgresql; do
    db=$work/tm.db
    [ $backend = postgresql ] && db=$pgurl
    imp=$(seconds "$bin" --db "$db" import "$tmx")
    mb=$(size_mb "$db")
    if [ $backend = postgresql ] && [ -n "$stats" ]; then
        sql "$pgurl" "VACUUM ANALYZE" >/dev/null
        sql "$admin" "SELECT pg_stat_statements_reset()" >/dev/null
    fi
    json=$("$bench" --db "$db" --queries "$queries" --nq "$nq")
    if [ $backend = postgresql ] && [ -n "$stats" ]; then
        per_lookup=$(sql "$admin" "SELECT round(sum(calls)::numeric / $nq, 1) || ' statements, ' || round(sum(rows)::numeric / $nq, 1) || ' rows' FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$pgdb')")
        top=$(sql "$admin" "SELECT round(calls::numeric / $nq, 1) || ' × ' || regexp_replace(left(query, 60), '\s+', ' ', 'g') FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$pgdb') ORDER BY calls DESC LIMIT 6" | paste -sd';' -)
    fi
    read -r med p95 mean found digest < <(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(j["median_ms"], j["p95_ms"], j["mean_ms"], j["found"], j["suggestions_digest"])' "$json")
    row[$backend]="$imp $mb $med $p95 $mean"
    echo "| $backend | $imp | $mb | $med | $p95 | $mean | $found / $nq | $digest | $(load) |"
done
read -r si sm smed sp95 _ <<<"${row[sqlite]}"
read -r pi pm pmed pp95 _ <<<"${row[postgresql]}"
echo
echo "PostgreSQL / SQLite: import $(echo "scale=2; $pi / $si" | bc)×, size $(echo "scale=2; $pm / $sm" | bc)×, suggest median $(echo "scale=2; $pmed / $smed" | bc)×, p95 $(echo "scale=2; $pp95 / $sp95" | bc)×"
if [ -n "$stats" ]; then
    echo
    echo "PostgreSQL statements per lookup (pg_stat_statements over the $nq in-process lookups, each statement one round trip): $per_lookup; most called: $top"
fi

# CPU seconds (user + system) of a process and, with TMM_BENCH_PG_PID, of the postmaster's
# children (the backends serving tmm's pooled connections live through a run).
cpu_of() { awk '{ printf "%.2f\n", ($14 + $15) / 100 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_cpu() {
    [ -n "$pg_pid" ] || { echo 0; return; }
    local t=0
    for p in $(cat "/proc/$pg_pid/task/$pg_pid/children"); do
        t=$(echo "$t + $(cpu_of "$p")" | bc)
    done
    echo "$t"
}

if [[ ",$skip," != *,serve,* ]]; then
    # The lookup bodies, one per line, as benches/serve.sh sends them.
    python3 - "$queries" "$work/bodies.txt" <<'PY'
import json, sys
with open(sys.argv[2], "w", encoding="utf-8") as b:
    for line in open(sys.argv[1], encoding="utf-8"):
        t = json.loads(line)["text"]
        b.write(json.dumps({"source": "en", "target": "fr", "segments": [{"text": t}], "min": 70, "limit": 5}, ensure_ascii=False) + "\n")
PY
    export TMM_BODIES=$work/bodies.txt
    # serve NAME DB: starts `tmm serve` on DB; sets url_NAME, pid_NAME, token_NAME.
    serve() {
        local token
        token=$("$bin" --db "$2" token add "bench-read-$1" --role read 2>/dev/null | tail -1)
        "$bin" --db "$2" serve --listen 127.0.0.1:0 >"$work/addr.$1" 2>"$work/serve.$1.log" &
        local pid=$!
        servers+=("$pid")
        for _ in $(seq 100); do grep -q listening "$work/addr.$1" 2>/dev/null && break; sleep 0.1; done
        printf -v "url_$1" '%s' "$(sed -n 's/^listening on //p' "$work/addr.$1")"
        printf -v "pid_$1" '%s' "$pid"
        printf -v "token_$1" '%s' "$token"
    }
    serve sqlite "$work/tm.db"
    serve pg "$pgurl"
    serve pg2 "$pgurl"
    # wrk_run OUT THREADS CONNECTIONS NAME [OFFSET]: one wrk against server NAME, in the
    # background, starting at body OFFSET.
    wrk_run() {
        local url="url_$4" token="token_$4"
        TMM_TOKEN=${!token} TMM_OFFSET=${5:-0} /usr/bin/time -f '%U %S' -o "$1.cpu" \
            wrk -t"$2" -c"$3" -d"${duration}s" --timeout 10s -s benches/serve.lua "${!url}" >"$1" &
    }
    result() { grep '^RESULT' "$1"; }

    echo
    echo "Through \`tmm serve\`, one connection (wrk -t1 -c1, ${duration} s each), in turn:"
    echo
    echo "| backend | round | lookups/s | p50 ms | p95 ms | p99 ms | requests | non-2xx | errors | load |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for round in 1 2; do
        for name in sqlite pg; do
            wrk_run "$work/lat" 1 1 "$name"
            wait $!
            read -r _ rps p50 p99 _ total non2xx errors p95 < <(result "$work/lat")
            label=$([ $name = pg ] && echo postgresql || echo sqlite)
            echo "| $label | $round | $rps | $p50 | $p95 | $p99 | $total | $non2xx | $errors | $(load) |"
        done
    done

    echo
    echo "Throughput, 16 connections in all (${duration} s each), in turn; CPU is seconds of the run (2 cores give $((2 * duration)) s):"
    echo
    echo "| setup | round | lookups/s | p50 ms | p95 ms | p99 ms | requests | non-2xx | errors | CPU s tmm | CPU s PostgreSQL | CPU s wrk | load |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for round in 1 2; do
        for setup in "sqlite" "pg" "pg pg2"; do
            t0=$(for s in sqlite pg pg2; do p="pid_$s"; cpu_of "${!p}"; done | paste -sd+ - | bc)
            g0=$(pg_cpu)
            set -- $setup
            if [ $# = 1 ]; then
                wrk_run "$work/w.$1" 2 16 "$1"
                wait $!
                read -r _ rps p50 p99 _ total non2xx errors p95 < <(result "$work/w.$1")
                read -r wu ws <"$work/w.$1.cpu"
            else
                wrk_run "$work/w.$1" 1 8 "$1"
                w1=$!
                wrk_run "$work/w.$2" 1 8 "$2" 500
                w2=$!
                wait "$w1" "$w2"
                # Two halves of the load: requests and rates add; latencies, the mean of
                # the two percentiles (each wrk reports its own).
                read -r rps p50 p95 p99 total non2xx errors < <(python3 - "$work/w.$1" "$work/w.$2" <<'PY'
import sys
r = [open(f).read().split("RESULT ")[1].split() for f in sys.argv[1:]]
f = lambda i: [float(x[i]) for x in r]
print(round(sum(f(0)), 1), round(sum(f(1)) / 2, 2), round(sum(f(7)) / 2, 2), round(sum(f(2)) / 2, 2),
      int(sum(f(4))), int(sum(f(5))), int(sum(f(6))))
PY
)
                read -r wu ws < <(cat "$work/w.$1.cpu" "$work/w.$2.cpu" | awk '{ u += $1; s += $2 } END { print u, s }')
            fi
            t1=$(for s in sqlite pg pg2; do p="pid_$s"; cpu_of "${!p}"; done | paste -sd+ - | bc)
            g1=$(pg_cpu)
            label=$(case $setup in sqlite) echo "SQLite, 1 tmm serve" ;; pg) echo "PostgreSQL, 1 tmm serve" ;; *) echo "PostgreSQL, 2 tmm serve (8 connections each)" ;; esac)
            pgc=$([ -n "$pg_pid" ] && echo "$g1 - $g0" | bc || echo "not measured")
            echo "| $label | $round | $rps | $p50 | $p95 | $p99 | $total | $non2xx | $errors | $(echo "$t1 - $t0" | bc) | $pgc | $(echo "$wu + $ws" | bc) | $(load) |"
        done
    done
    for s in "${servers[@]}"; do kill "$s" 2>/dev/null && wait "$s" 2>/dev/null || true; done
    servers=()
fi

if [[ ",$skip," != *,anchor,* ]]; then
    [ -f "$gt" ] || { echo "no $gt for the anchor's recall" >&2; exit 2; }
    sql "$pgurl" "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null
    start=$(date +%s.%N)
    sql "$pgurl" "CREATE INDEX variant_en_trgm ON variant USING gin (text gin_trgm_ops) WHERE lang = 'en'; ANALYZE variant" >/dev/null
    built=$(echo "$(date +%s.%N) - $start" | bc | cut -c1-6)
    en=$(sql "$pgurl" "SELECT count(*) FROM variant WHERE lang = 'en'")
    idx_mb=$(sql "$pgurl" "SELECT round(pg_relation_size('variant_en_trgm') / 1048576.0, 1)")
    [ -n "$stats" ] && sql "$admin" "SELECT pg_stat_statements_reset()" >/dev/null
    json=$("$bench" --anchor --db "$pgurl" --queries "$queries" --gt "$gt" --nq "$anchor_nq" --trgm-threshold 0.5)
    echo
    echo "The anchor: pg_trgm GIN index (gin_trgm_ops) on the $en English source texts only (WHERE lang = 'en'), built in $built s, $idx_mb MB; load after: $(load)"
    echo
    python3 - "$json" <<'PY'
import json, sys
j = json.loads(sys.argv[1])
def rec(r):
    return (f"{r['recall']:.4f} ({r['hits']}/{r['counted']}; {r['penalised']} via --exhaustive)",
            f"{r['gt_recall']:.4f} ({r['gt_hits']}/{r['gt_counted']})")
t, g = j["tmm"], j["trgm"]
print(f"| {j['queries']} queries, en → fr, on PostgreSQL | median ms | p95 ms | mean ms | candidates per lookup (median) | recall of the exhaustive best (≥ 70) | ground-truth best among the suggestions |")
print("|---|---|---|---|---|---|---|")
a, b = rec(t["recall"])
print(f"| tmm's index | {t['median_ms']:.3f} | {t['p95_ms']:.3f} | {t['mean_ms']:.3f} | {t['candidates_median']:.0f} proposed, {t['verified_median']:.0f} verified | {a} | {b} |")
a, b = rec(g["recall"])
print(f"| pg_trgm % at {j['threshold']} then tmm's scorer | {g['median_ms']:.3f} | {g['p95_ms']:.3f} | {g['mean_ms']:.3f} | {g['rows_median']:.0f} rows (p95 {g['rows_p95']:.0f}, max {g['rows_max']:.0f}) | {a} | {b} |")
print()
print(f"pg_trgm statement alone (one round trip, candidates and their translations): median {g['sql_median_ms']:.3f} ms, p95 {g['sql_p95_ms']:.3f} ms; "
      f"pg_trgm / tmm: median {g['median_ms'] / t['median_ms']:.1f}×, p95 {g['p95_ms'] / t['p95_ms']:.1f}×")
PY
fi
