#!/usr/bin/env bash
# End-to-end timings of the release binary on the reference workload (../shared/bench),
# each beside the time `xmllint --stream --noout` takes only to parse the same file, measured
# in the same run (the machines are noisy: compare ratios, not seconds).
#
#   benches/run.sh [TAG...]        TAG is 100k (default) or 1m; data in $TMM_BENCH_DATA
#
# Prints a Markdown table: wall and CPU seconds, units/s, peak RSS, and the ratios the
# issues set targets for (import <= 3x parse, TMX export faster than import, peak RSS
# < 200 MB at 1M units; en-fr Moses export no slower than import).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${TMM_BENCH_DATA:-bench-data}
tags=("${@:-100k}")
mkdir -p "$data"
cargo build --release --quiet
bin=target/release/tmm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure NAME CMD...: sets $wall (s), $cpu (user+sys s) and $rss (MB) of CMD.
measure() {
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || {
        cat "$work/err" >&2
        return 1
    }
    read -r wall user sys kb <"$work/time"
    cpu=$(echo "$user + $sys" | bc)
    rss=$((kb / 1024))
}

echo "| workload | step | wall s | cpu s | units/s (wall) | peak RSS MB | ratio |"
echo "|---|---|---|---|---|---|---|"
for tag in "${tags[@]}"; do
    case $tag in
        100k) n=100000 ;;
        1m) n=1000000 ;;
        *) echo "unknown tag $tag (100k or 1m)" >&2; exit 2 ;;
    esac
    tmx=$data/corpus_$tag.tmx
    if [ ! -f "$tmx" ]; then
        TMM_BENCH_DATA=$data python3 ../shared/bench/gen_corpus.py --n "$n" --tag "$tag" --no-gt >&2
    fi
    size=$(( $(stat -c %s "$tmx") / 1048576 ))
    measure xmllint --stream --noout "$tmx"
    parse=$wall
    echo "| $tag ($size MB) | xmllint parse | $wall | $cpu | $(echo "$n / $wall" | bc) | $rss | 1.00 |"
    rm -f "$work"/tm.db*
    measure "$bin" --db "$work/tm.db" import "$tmx"
    import=$wall
    echo "| $tag | tmm import | $wall | $cpu | $(echo "$n / $wall" | bc) | $rss | $(echo "scale=2; $wall / $parse" | bc) × parse |"
    # export ROW-NAME ARGS...: one export from the database just imported, against the import.
    export() {
        local name=$1
        shift
        measure "$bin" --db "$work/tm.db" export "$@"
        echo "| $tag | $name | $wall | $cpu | $(echo "$n / $wall" | bc) | $rss | $(echo "scale=2; $wall / $import" | bc) × import |"
    }
    export "tmm export (TMX, whole store)" -o "$work/out.tmx"
    export "export moses en–fr" --format moses --from en --to fr -o "$work/c"
    export "export moses fr–zh" --format moses --from fr --to zh -o "$work/c"
    export "export tsv en–fr --dedupe normalized --split" --format tsv --from en --to fr \
        --dedupe normalized --split train=0.98,dev=0.01,test=0.01 -o "$work/c.tsv"
    export "export jsonl (6 languages)" --format jsonl --langs en,fr,es,ru,zh,ar -o "$work/c.jsonl"
    rm -f "$work"/c* "$work/out.tmx"
    db=$(( $(stat -c %s "$work/tm.db") / 1048576 ))
    echo "| $tag | database size | | | | | $db MB for $size MB of TMX |"
done
