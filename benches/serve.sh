#!/usr/bin/env bash
# `tmm serve` under load, on loopback: 16 concurrent clients (wrk, benches/serve.lua) POST
# /api/v1/lookup with the reference queries (../shared/bench), idle and while a 30k-unit TMX
# is imported through POST /api/v1/import; beside, in the same run, in-process matching
# (`tmm suggest --file` over the same queries: one process, no HTTP) and a whole
# `tmm suggest` process per query.
#
#   benches/serve.sh [TAG]        TAG is 100k (default) or 1m; data in $TMM_BENCH_DATA
#
# Needs wrk (Debian: apt-get install wrk) and curl. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${TMM_BENCH_DATA:-bench-data}
tag=${1:-100k}
duration=${TMM_BENCH_SECONDS:-20}
case $tag in
    100k) n=100000 ;;
    1m) n=1000000 ;;
    *) echo "unknown tag $tag (100k or 1m)" >&2; exit 2 ;;
esac
mkdir -p "$data"
tmx=$data/corpus_$tag.tmx
if [ ! -f "$tmx" ]; then
    # Another run may be making it: wait on the lock, then look again.
    flock "$data.lock" sh -c "[ -f '$tmx' ] || TMM_BENCH_DATA='$data' python3 ../shared/bench/gen_corpus.py --n $n --tag $tag"
fi
cargo build --release --quiet
bin=$PWD/target/release/tmm
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
db=$work/tm.db

echo "importing $tmx" >&2
"$bin" --db "$db" import "$tmx" >/dev/null
read_token=$("$bin" --db "$db" token add bench-read --role read 2>/dev/null | tail -1)
write_token=$("$bin" --db "$db" token add bench-write --role write 2>/dev/null | tail -1)

# The lookup bodies, one per line, and the queries as a text file for `tmm suggest --file`.
python3 - "$data/queries_$tag.jsonl" "$work" <<'PY'
import json, sys
src, work = sys.argv[1], sys.argv[2]
queries = [json.loads(l)["text"] for l in open(src, encoding="utf-8")]
with open(f"{work}/bodies.txt", "w", encoding="utf-8") as b, open(f"{work}/queries.txt", "w", encoding="utf-8") as q:
    for t in queries:
        b.write(json.dumps({"source": "en", "target": "fr", "segments": [{"text": t}], "min": 70, "limit": 5}, ensure_ascii=False) + "\n")
        q.write(" ".join(t.split()) + "\n")
PY
# The import: the first 30,000 units of the memory, each source revised, so they are new.
python3 - "$tmx" "$work/import.tmx" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
n = 0
with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
    for line in f:
        if line.startswith("<tu ") or line.startswith("<tu>"):
            if n == 30000:
                break
            n += 1
        out.write(line.replace("</seg>", " (rev. 2)</seg>"))
    out.write("</body>\n</tmx>\n")
PY
units=$(grep -c '</tu>' "$work/import.tmx")

"$bin" --db "$db" serve --listen 127.0.0.1:0 >"$work/addr" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -q listening "$work/addr" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/addr")
export TMM_TOKEN=$read_token TMM_BODIES=$work/bodies.txt

# row NAME: the table row of the last wrk run.
row() {
    read -r _ rps p50 p99 max total non2xx errors _ < <(grep '^RESULT' "$work/wrk.out")
    echo "| $tag | server, $1 | $rps | $p50 | $p99 | $max | $total | $non2xx | $errors |"
}
# lookups NAME: wrk for $duration s, 16 connections on 2 threads; prints a table row.
lookups() {
    wrk -t2 -c16 -d"${duration}s" --timeout 10s -s benches/serve.lua "$url" >"$work/wrk.out"
    row "$1"
}

echo "| memory | what | lookups/s | p50 ms | p99 ms | max ms | requests | non-2xx | socket errors |"
echo "|---|---|---|---|---|---|---|---|---|"
lookups idle
start=$(date +%s.%N)
curl -sS -o "$work/import.json" -w '%{http_code}' -H "Authorization: Bearer $write_token" \
    --data-binary @"$work/import.tmx" "$url/api/v1/import?name=import.tmx" >"$work/import.status" &
curl_pid=$!
# The lookups run from the import's start until 2 s after its commit, so the moment the new
# units become visible is measured too (wrk reports what it has on SIGINT).
wrk -t2 -c16 -d600s --timeout 10s -s benches/serve.lua "$url" >"$work/wrk.out" &
wrk_pid=$!
wait "$curl_pid"
end=$(date +%s.%N)
sleep 2
kill -INT "$wrk_pid"
wait "$wrk_pid" || true
row "during a $units-unit import and 2 s after its commit"
lookups "idle again"
imported=$(python3 -c "import json; print(json.load(open('$work/import.json'))['added'])")
echo
echo "import through the API: HTTP $(cat "$work/import.status"), $imported units added, $(echo "$end - $start" | bc | cut -c1-6) s wall, lookups throughout"

# In-process matching: one process, the same 1000 queries, no HTTP.
q=$(wc -l <"$work/queries.txt")
s=$( { /usr/bin/time -f '%e' "$bin" --db "$db" suggest --from en --to fr --json --file "$work/queries.txt" >/dev/null; } 2>&1 | tail -1)
echo "in-process suggest (tmm suggest --file, one thread): $q queries in $s s = $(echo "scale=1; $q / $s" | bc) queries/s, $(echo "scale=2; $s * 1000 / $q" | bc) ms each"
# A whole process per query.
k=50
s=$( { /usr/bin/time -f '%e' sh -c "head -$k '$work/queries.txt' | while IFS= read -r line; do '$bin' --db '$db' suggest --from en --to fr --json \"\$line\" >/dev/null || true; done"; } 2>&1 | tail -1)
echo "a whole tmm suggest process per query: $k processes in $s s = $(echo "scale=2; $s * 1000 / $k" | bc) ms each"
echo "machine: $(nproc) cores, $(uname -sr), load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
