#!/usr/bin/env bash
# End-to-end timing of `tmm align` (release build) on documents of 10,000 and 20,000
# sentences per language, written by `cargo bench --bench alignment` into target/alignment.
# Prints wall time and peak memory of each run as a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
dir=target/alignment
echo "| sentences per language | unit | output | wall (s) | peak RSS (MB) | result |"
echo "|---|---|---|---|---|---|"
for n in 10000 20000; do
    for unit in paragraph sentence; do
        for out in tmx store; do
            rm -f "$dir/scale.db" "$dir/scale.db-wal" "$dir/scale.db-shm"
            if [ "$out" = tmx ]; then where=(--tmx "$dir/scale.tmx"); else where=(); fi
            /usr/bin/time -f "%e %M" -o "$dir/time.txt" \
                target/release/tmm --db "$dir/scale.db" align --unit "$unit" "${where[@]}" \
                "en=$dir/scale-$n-en.txt" "zh=$dir/scale-$n-zh.txt" >"$dir/out.txt" 2>/dev/null
            read -r wall kb <"$dir/time.txt"
            echo "| $n | $unit | $out | $wall | $((kb / 1024)) | $(head -c 90 "$dir/out.txt") |"
        done
    done
done
