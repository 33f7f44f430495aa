#!/usr/bin/env python3
"""Scores nltk's Gale-Church (nltk.translate.gale_church.align_blocks) on the damaged documents
and the UN resolution that `cargo bench --bench alignment` wrote to target/alignment/
(gettext-paragraphs.json, un-resolution.json): the same paragraph or sentence lengths
(characters without whitespace), the same document-level length ratio, scored the same way
as tmm beside it.

    pip install nltk && cargo bench --bench alignment && python3 scripts/nltk_damaged.py
"""
import json
import pathlib
import sys

from nltk.translate import gale_church

root = pathlib.Path(__file__).resolve().parent.parent
out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "target/alignment"


def params(ratio):
    class Params(gale_church.LanguageIndependent):
        AVERAGE_CHARACTERS = ratio

    return Params


def beads(links, n, m):
    """The beads nltk's links make: linked groups, and each unlinked segment alone."""
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for s, t in links:
        parent[find(("s", s))] = find(("t", t))
    groups = {}
    for s in range(n):
        groups.setdefault(find(("s", s)), ([], []))[0].append(s)
    for t in range(m):
        groups.setdefault(find(("t", t)), ([], []))[1].append(t)
    return {(tuple(a), tuple(b)) for a, b in groups.values()}


def paragraphs():
    path = out / "gettext-paragraphs.json"
    if not path.exists():
        return
    print("| pair | condition | nltk beads exact | nltk damage beads exact | nltk link F1 | tmm beads exact | tmm damage beads exact | tmm link F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for doc in json.loads(path.read_text()):
        src = [max(1, n) for n in doc["source"]]
        tgt = [max(1, n) for n in doc["target"]]
        links = set(map(tuple, gale_church.align_blocks(src, tgt, params(doc["ratio"]))))
        found = beads(links, len(src), len(tgt))
        gold = [(tuple(a), tuple(b)) for a, b in doc["gold"]]
        exact = sum(g in found for g in gold)
        damage = [g for g, d in zip(gold, doc["damage"]) if d]
        damage_exact = sum(g in found for g in damage)
        truth = {(s, t) for a, b in gold for s in a for t in b}
        correct = len(links & truth)
        p = correct / max(len(links), 1)
        r = correct / max(len(truth), 1)
        f = 2 * p * r / (p + r) if p + r else 0.0
        t = doc["tmm"]
        print(
            f"| {doc['pair']} | {doc['condition']} | {exact / len(gold):.4f} | {damage_exact}/{len(damage)} | {f:.4f} | "
            f"{t['exact']:.4f} | {t['damage_exact']}/{t['damage']} | {t['f1']:.4f} |"
        )


def resolution():
    path = out / "un-resolution.json"
    if not path.exists():
        return
    print()
    print("| pair | nltk line P | nltk line R | tmm line P | tmm line R |")
    print("|---|---|---|---|---|")
    for pair in json.loads(path.read_text()):
        predicted = set()
        for source, target in zip(pair["source"], pair["target"]):
            src = [max(1, n) for n, _ in source]
            tgt = [max(1, n) for n, _ in target]
            for s, t in gale_church.align_blocks(src, tgt, params(pair["ratio"])):
                predicted.add((source[s][1], target[t][1]))
        correct = sum(1 for a, b in predicted if a == b)
        p = correct / max(len(predicted), 1)
        r = correct / pair["lines"]
        t = pair["tmm"]
        print(f"| {pair['pair']} | {p:.4f} | {r:.4f} | {t['p']:.4f} | {t['r']:.4f} |")


paragraphs()
resolution()
