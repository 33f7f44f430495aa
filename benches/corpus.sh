#!/usr/bin/env bash
# Corpus export against import on the reference workload (../shared/bench), release binary,
# measured in the same run (the machines are noisy: compare ratios, not seconds).
#
#   benches/corpus.sh [TAG...]     TAG is 100k (default) or 1m; data in $TMM_BENCH_DATA
#
# Prints a Markdown table: wall and CPU seconds, units/s, peak RSS, and each export's time
# as a ratio of the import's. The issue's target: en–fr Moses export no slower than import,
# with bounded memory.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${TMM_BENCH_DATA:-bench-data}
tags=("${@:-100k}")
cargo build --release --quiet
bin=target/release/tmm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure CMD...: sets $wall (s), $cpu (user+sys s) and $rss (MB) of CMD.
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
    rm -f "$work"/tm.db*
    measure "$bin" --db "$work/tm.db" import "$tmx"
    import=$wall
    echo "| $tag | tmm import | $wall | $cpu | $(echo "$n / $wall" | bc) | $rss | 1.00 |"
    row() {
        local name=$1
        shift
        measure "$bin" --db "$work/tm.db" export "$@"
        echo "| $tag | $name | $wall | $cpu | $(echo "$n / $wall" | bc) | $rss | $(echo "scale=2; $wall / $import" | bc) × import |"
    }
    row "export moses en–fr" --format moses --from en --to fr -o "$work/c"
    wc -l "$work/c.en" "$work/c.fr" >&2
    row "export moses fr–zh" --format moses --from fr --to zh -o "$work/c"
    row "export tsv en–fr --dedupe normalized --split" --format tsv --from en --to fr \
        --dedupe normalized --split train=0.98,dev=0.01,test=0.01 -o "$work/c.tsv"
    row "export jsonl (6 languages)" --format jsonl --langs en,fr,es,ru,zh,ar -o "$work/c.jsonl"
    row "export tmx (whole store)" -o "$work/c.tmx"
    rm -f "$work"/c*
done
