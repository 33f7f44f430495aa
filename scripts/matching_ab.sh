#!/bin/bash
# Back-to-back A/B of two builds on the reference workload, for a noisy machine: import and
# index rebuild with each `tmm`, then each build's matching benchmark on its own database
# (queries only), twice, alternating.
#
#   OLD_TMM=… NEW_TMM=… OLD_BENCH=… NEW_BENCH=… OLD_DATA=… NEW_DATA=… scripts/matching_ab.sh
#
# *_BENCH are copies of target/release/deps/matching-* built from each commit; *_DATA are
# TMM_BENCH_DATA folders (links to the workload files) holding each build's bench_100k.db
# from a full `cargo bench --bench matching` run.
set -eu
TAG=${TAG:-100k}
WORK=${WORK:-$(mktemp -d)}
TMX=$OLD_DATA/corpus_$TAG.tmx
for round in 1 2; do
  for v in OLD NEW; do
    tmm_var=${v}_TMM; exe=${!tmm_var}
    db=$WORK/ab-$v.db; rm -f "$db" "$db-wal" "$db-shm"
    s=$(date +%s.%N); "$exe" --db "$db" import "$TMX" >/dev/null 2>&1; e=$(date +%s.%N)
    "$exe" --db "$db" index >/dev/null 2>&1; e2=$(date +%s.%N)
    echo "round $round $v: import $(echo "$e - $s" | bc) s, index rebuild $(echo "$e2 - $e" | bc) s, database $(du -m "$db" | cut -f1) MB"
  done
done
for round in 1 2; do
  for v in OLD NEW; do
    b=${v}_BENCH; d=${v}_DATA
    echo "== round $round $v"
    TMM_BENCH_DATA=${!d} "${!b}" --tag "$TAG" --skip-import --cli 0 --no-rapidfuzz 2>/dev/null \
      | grep -E "recall|ground|median|loaded" | grep -v "whole command"
  done
done
