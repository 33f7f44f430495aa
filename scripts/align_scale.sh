#!/usr/bin/env bash
# End-to-end timing of `tmm align` (release build) on documents of 10,000 and 20,000
# sentences per language (written by `cargo bench --bench alignment` into target/alignment),
# beside a baseline build of an earlier revision measured in the same run on the same files.
# Prints wall time (best of three) and peak memory of each run, and the ratios, as markdown.
#
#     scripts/align_scale.sh [BASELINE-REVISION]     # default: 47cddd3, before issue 14
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-47cddd3}
dir=target/alignment
if [ ! -f "$dir/scale-20000-zh.txt" ]; then
    ALIGNMENT_ONLY=corpus cargo bench --bench alignment >/dev/null
fi
baseline=target/align-baseline/tmm-$base
if [ ! -x "$baseline" ]; then
    src=target/align-baseline/src-$base
    rm -rf "$src" && mkdir -p "$src"
    git archive "$base" | tar -x -C "$src"
    # Shares the dependencies already built in target/.
    cargo build --release --quiet --manifest-path "$src/Cargo.toml" --target-dir target
    cp target/release/tmm "$baseline"
fi
cargo build --release --quiet
current=target/release/tmm

run() { # binary unit out n -> "wall kb"
    local best="" kb=0
    for _ in 1 2 3; do
        rm -f "$dir/scale.db" "$dir/scale.db-wal" "$dir/scale.db-shm"
        if [ "$3" = tmx ]; then where=(--tmx "$dir/scale.tmx"); else where=(); fi
        /usr/bin/time -f "%e %M" -o "$dir/time.txt" \
            "$1" --db "$dir/scale.db" align --unit "$2" "${where[@]}" \
            "en=$dir/scale-$4-en.txt" "zh=$dir/scale-$4-zh.txt" >"$dir/out.txt" 2>/dev/null
        read -r wall k <"$dir/time.txt"
        if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then best=$wall; fi
        if [ "$k" -gt "$kb" ]; then kb=$k; fi
    done
    echo "$best $kb"
}

echo "| sentences per language | unit | output | baseline wall (s) | wall (s) | ratio | baseline peak RSS (MB) | peak RSS (MB) | ratio |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in 10000 20000; do
    for unit in paragraph sentence; do
        for out in tmx store; do
            read -r bw bk < <(run "$baseline" "$unit" "$out" "$n")
            read -r cw ck < <(run "$current" "$unit" "$out" "$n")
            echo "| $n | $unit | $out | $bw | $cw | $(awk "BEGIN{printf \"%.2f\", $cw/$bw}") | $((bk / 1024)) | $((ck / 1024)) | $(awk "BEGIN{printf \"%.2f\", $ck/$bk}") |"
        done
    done
done
