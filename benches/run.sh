#!/usr/bin/env bash
# End-to-end timings of the release binary on the reference workload (../shared/bench),
# each beside the time `xmllint --stream --noout` takes only to parse the same file, measured
# in the same run (the machines are noisy: compare ratios, not seconds).
#
#   benches/run.sh [TAG...]        TAG is 100k (default) or 1m; data in $TMM_BENCH_DATA
#
# Prints a Markdown table: wall and CPU seconds, units/s, peak RSS, and the ratios the
# Foundation issue sets targets for (import <= 3x parse, export faster than import,
# peak RSS < 200 MB at 1M units).
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
    measure "$bin" --db "$work/tm.db" export -o "$work/out.tmx"
    echo "| $tag | tmm export | $wall | $cpu | $(echo "$n / $wall" | bc) | $rss | $(echo "scale=2; $wall / $import" | bc) × import |"
    db=$(( $(stat -c %s "$work/tm.db") / 1048576 ))
    echo "| $tag | database size | | | | | $db MB for $size MB of TMX |"
done
