#!/usr/bin/env python3
"""Writes a corpus shaped like the PyPI package names of issue 23 (which are not in this repository): by default
886,323 lines, a vocabulary of 39 characters (a-z, 0-9, '-', '_', '.'), lengths from 1 to ~190 with 99 % at most 41.
Names are syllables joined by separators, with digits and version-like tails, and a few very long ones.
Usage: package-like-names.py [LINES] [SEED] > corpus.txt"""
import random
import sys

lines = int(sys.argv[1]) if len(sys.argv) > 1 else 886_323
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 23)
onsets = ["", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "qu", "r", "s", "t", "v", "w", "x", "z",
          "st", "tr", "pr", "py", "bl", "cl", "fl", "gr", "sh", "ch", "th"]
vowels = ["a", "e", "i", "o", "u", "y", "ai", "io", "ea", "ou"]
codas = ["", "", "n", "r", "s", "t", "l", "m", "x", "ck", "ng", "rd"]
affixes = ["py", "django", "flask", "api", "sdk", "client", "lib", "tools", "utils", "core", "cli", "test", "async", "data"]


def word():
    return "".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(rng.choice([1, 1, 2, 2, 3])))


def name():
    parts = [word() if rng.random() > 0.25 else rng.choice(affixes) for _ in range(rng.choice([1, 1, 2, 2, 3, 4]))]
    if rng.random() < 0.004:  # the long tail: up to ~190 characters
        parts += [word() for _ in range(rng.randint(8, 40))]
    text = "".join(p + rng.choice("-_.") if i < len(parts) - 1 else p for i, p in enumerate(parts))
    if rng.random() < 0.1:
        text += str(rng.randint(0, 999))
    return text[:190]


out = sys.stdout
for _ in range(lines):
    out.write(name() + "\n")
