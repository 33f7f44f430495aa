#!/usr/bin/env bash
# End-to-end timings of the release binary on the reference workload (../shared/bench),
# each beside the time `xmllint --stream --noout` takes only to parse the same file, measured
# in the same run (the machines are noisy: compare ratios, not seconds).
#
#   benches/run.sh [TAG...]        TAG is 100k (default) or 1m; data in $TMM_BENCH_DATA
#   TMM_BASELINE=path/to/tmm benches/run.sh 100k
#                                  also runs another build (an older release) step by step
#                                  beside this one, for A/B ratios taken in the same minutes
#
# Prints a Markdown table: wall and CPU seconds, units/s, peak RSS, and the ratios issue 13
# sets targets for: the default import (index included) <= 2x the parse, re-importing the
# same file (all duplicates) <= 1.5x the parse, TMX export faster than import, the database
# <= 1.2x the TMX, peak RSS < 200 MB at 1M units.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${TMM_BENCH_DATA:-bench-data}
tags=("${@:-100k}")
mkdir -p "$data"
cargo build --release --quiet
builds=("new=target/release/tmm")
if [ -n "${TMM_BASELINE:-}" ]; then
    builds+=("baseline=$TMM_BASELINE")
fi
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

ratio() { echo "scale=2; $1 / $2" | bc; }

echo "| workload | build | step | wall s | cpu s | units/s (wall) | peak RSS MB | ratio |"
echo "|---|---|---|---|---|---|---|---|"
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
    bytes=$(stat -c %s "$tmx")
    size=$((bytes / 1048576))
    # Warm the page cache, so that no build pays for the first read of the file.
    cat "$tmx" >/dev/null
    measure xmllint --stream --noout "$tmx"
    parse=$wall
    parse_cpu=$cpu
    echo "| $tag ($size MB) | | xmllint --stream --noout | $wall | $cpu | $(echo "$n / $wall" | bc) | $rss | 1.00 |"
    row() { # BUILD STEP: a row for the last measure, against the parse
        echo "| $tag | $1 | $2 | $wall | $cpu | $(echo "$n / $wall" | bc) | $rss | $(ratio "$wall" "$parse") × parse (cpu $(ratio "$cpu" "$parse_cpu") ×) |"
    }
    for build in "${builds[@]}"; do
        name=${build%%=*}
        bin=${build#*=}
        db=$work/$name.db
        rm -f "$db"*
        measure "$bin" --db "$db" import "$tmx"
        import=$wall
        row "$name" "tmm import (index included)"
        measure "$bin" --db "$db" import "$tmx"
        row "$name" "tmm import of the same file again (all duplicates)"
        measure "$bin" --db "$db" export -o "$work/out.tmx"
        echo "| $tag | $name | tmm export (TMX, whole store) | $wall | $cpu | $(echo "$n / $wall" | bc) | $rss | $(ratio "$wall" "$import") × import |"
        if [ "$name" = new ]; then
            # The corpus exports, against the import.
            export() {
                local what=$1
                shift
                measure "$bin" --db "$db" export "$@"
                echo "| $tag | $name | $what | $wall | $cpu | $(echo "$n / $wall" | bc) | $rss | $(ratio "$wall" "$import") × import |"
            }
            export "export moses en–fr" --format moses --from en --to fr -o "$work/c"
            export "export tsv en–fr --dedupe normalized --split" --format tsv --from en --to fr \
                --dedupe normalized --split train=0.98,dev=0.01,test=0.01 -o "$work/c.tsv"
            export "export jsonl (6 languages)" --format jsonl --langs en,fr,es,ru,zh,ar -o "$work/c.jsonl"
            rm -f "$work"/c*
        fi
        rm -f "$work/out.tmx"
        dbbytes=$(stat -c %s "$db")
        echo "| $tag | $name | database size | | | | | $((dbbytes / 1048576)) MB for $size MB of TMX: $(ratio "$dbbytes" "$bytes") × |"
        rm -f "$db"*
        measure "$bin" --db "$db" import --defer-index "$tmx"
        row "$name" "tmm import --defer-index"
        measure "$bin" --db "$db" index
        row "$name" "tmm index after it"
        rm -f "$db"*
    done
done
