#!/usr/bin/env python3
"""Runs the workload's 1,000 queries through two `tmm suggest --file --json` builds, each on its
own database of the same memory, and counts what changed: queries without a ground-truth match
of 0.70 that get a suggestion (false positives at the default --min 70), queries whose first
suggestion is a ground-truth best, and queries whose first suggestion or score differs.

    python3 scripts/suggest_changes.py OLD_TMM OLD_DB NEW_TMM NEW_DB [DATA_DIR [TAG]]
"""
import json
import subprocess
import sys
import tempfile

old_tmm, old_db, new_tmm, new_db = sys.argv[1:5]
data = sys.argv[5] if len(sys.argv) > 5 else "bench-data"
tag = sys.argv[6] if len(sys.argv) > 6 else "100k"
qs = [json.loads(l)["text"] for l in open(f"{data}/queries_{tag}.jsonl")]
gt = [json.loads(l) for l in open(f"{data}/gt_{tag}.jsonl")]
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    f.write("\n".join(q.replace("\n", " ") for q in qs) + "\n")
res = {}
for name, exe, db in [("old", old_tmm, old_db), ("new", new_tmm, new_db)]:
    out = subprocess.run([exe, "--db", db, "suggest", "--from", "en", "--to", "fr", "--json", "--file", f.name],
                         capture_output=True, text=True, check=True)
    segs = json.loads(out.stdout)
    assert len(segs) == len(qs), (len(segs), len(qs))
    res[name] = [(s["matches"][0]["from"]["position"], s["matches"][0]["score"]) if s["matches"] else None for s in segs]
unrelated = [i for i, g in enumerate(gt) if g["best_sim"] < 0.7]
related = [i for i, g in enumerate(gt) if g["best_sim"] >= 0.7]
for name in ["old", "new"]:
    fp = sum(1 for i in unrelated if res[name][i])
    hit = sum(1 for i in related if res[name][i] and res[name][i][0] in gt[i]["best_ids"])
    print(f"{name}: no match >= 0.70 but a suggestion: {fp}/{len(unrelated)}; "
          f"first suggestion a ground-truth best: {hit}/{len(related)}")
changed = [i for i in range(len(qs)) if res["old"][i] != res["new"][i]]
print("first suggestion or its score changed:", len(changed))
for i in changed[:10]:
    print(i, gt[i]["best_sim"], res["old"][i], res["new"][i], qs[i][:100])
