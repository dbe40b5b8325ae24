#!/usr/bin/env python3
"""Writes N synthetic package-like names, one a line, deterministic for a seed: a stand-in for PyPI's 886,323 names
(issue 23) that we cannot ship. Names are 1-4 parts joined by '-', '_' or '.'; a part is a common software word, a
lower-cased given name (from a names file, e.g. data/names.txt), a blend of two names, a short random syllable string
or a number; lengths are capped at 40. Vocabulary: a-z, 0-9, '-', '_', '.' (39 characters, 40 symbols with the boundary).

    python3 benchmarks/package-names.py data/names.txt 886323 > /tmp/packages.txt
    python3 benchmarks/package-names.py data/names.txt 20000000 --seed 2 > /tmp/packages-20m.txt
"""
import random
import sys

WORDS = ("py django flask api client sdk test tests utils tools lib data core cli web http json yaml async aws azure "
         "google cloud plugin plugins server db sql orm auth config log logger parser model models ml nlp torch tensor "
         "image video audio text stream kafka redis mongo postgres docker k8s kube ansible cdk odoo addon ext extension "
         "helper helpers kit framework toolkit bot discord telegram slack openai llm agent chain vector search index "
         "graph net network io file files fs cache queue task tasks job jobs scheduler monitor metrics report pdf xml "
         "csv excel html markdown doc docs sphinx theme ui gui qt tk app apps service services backend frontend rest grpc "
         "proto schema types typing lint format check validator mock fake faker bench benchmark crypto hash jwt oauth "
         "open simple easy fast super micro mini my the py3 python pytest unittest setup build deploy ci git github").split()
SYLLABLES = "a e i o u ba be bi bo ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta te ti to za x y z q".split()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    names = [n.strip().lower() for n in open(sys.argv[1], encoding="utf-8") if n.strip()]
    count = int(sys.argv[2])
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    rng = random.Random(seed)
    out = sys.stdout
    lines = []
    for _ in range(count):
        parts = []
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
            kind = rng.random()
            if kind < 0.45:
                parts.append(rng.choice(WORDS))
            elif kind < 0.70:
                parts.append(rng.choice(names))
            elif kind < 0.82:
                a, b = rng.choice(names), rng.choice(names)
                parts.append(a[:rng.randint(1, len(a))] + b[rng.randint(0, len(b) - 1):])
            elif kind < 0.94:
                parts.append("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 5))))
            else:
                parts.append(str(rng.randint(0, 2030)))
        name = parts[0]
        for part in parts[1:]:
            name += rng.choice("--------__.") + part
        lines.append(name[:40])
        if len(lines) == 100_000:
            out.write("\n".join(lines) + "\n")
            lines.clear()
    if lines:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
