#!/usr/bin/env python3
"""Scores nltk's Gale-Church (nltk.translate.gale_church.align_blocks) on the paragraphs that
`cargo bench --bench alignment` wrote to target/alignment/blocks.json, with the same
lengths (characters without whitespace) and the same document-level length ratio, and
prints its precision, recall and F1 over sentence links beside tmm's.

    pip install nltk && cargo bench --bench alignment && python3 scripts/nltk_gale_church.py
"""
import json
import pathlib
import sys
import time

from nltk.translate import gale_church

root = pathlib.Path(__file__).resolve().parent.parent
path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "target/alignment/blocks.json"
sets = json.loads(path.read_text())

print("| pair | condition | nltk P | nltk R | nltk F1 | tmm P | tmm R | tmm F1 | nltk time (s) |")
print("|---|---|---|---|---|---|---|---|---|")
for s in sets:

    class Params(gale_church.LanguageIndependent):
        AVERAGE_CHARACTERS = s["ratio"]

    predicted = gold = correct = 0
    start = time.perf_counter()
    for block in s["blocks"]:
        # nltk divides by the length: give empty segments one character, as tmm's 0 is.
        src = [max(1, n) for n in block["source"]]
        tgt = [max(1, n) for n in block["target"]]
        links = set(map(tuple, gale_church.align_blocks(src, tgt, Params)))
        truth = set(map(tuple, block["gold"]))
        predicted += len(links)
        gold += len(truth)
        correct += len(links & truth)
    elapsed = time.perf_counter() - start
    p = correct / max(predicted, 1)
    r = correct / max(gold, 1)
    f = 2 * p * r / (p + r) if p + r else 0.0
    t = s["tmm"]
    print(
        f"| {s['pair']} | {s['condition']} | {p:.4f} | {r:.4f} | {f:.4f} | "
        f"{t['p']:.4f} | {t['r']:.4f} | {t['f1']:.4f} | {elapsed:.2f} |"
    )
