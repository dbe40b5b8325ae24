#!/usr/bin/env bash
# Packs Makemore.ML and Makemore.ML.TorchSharp into examples/local-feed, then builds and runs this app against those
# packages, restored through the repository's NuGet.config (source makemore-local) into a packages folder of its own.
# Our two packages are deleted from that folder first and checked afterwards to be byte-for-byte the ones just packed,
# so neither the user's NuGet cache nor an earlier run can hide a broken package; third-party packages (Microsoft.ML,
# TorchSharp-cpu with libtorch for every runtime: ~1.4 GB) stay in it between runs. Exits non-zero if any step fails.
#   bash examples/PackageConsumer/run.sh [names.txt]        (default: the repository's data/names.txt)
#   MAKEMORE_CONSUMER_PACKAGES=DIR to choose the packages folder (default: $TMPDIR/makemore-package-consumer-packages)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
feed="$root/examples/local-feed"
packages="${MAKEMORE_CONSUMER_PACKAGES:-${TMPDIR:-/tmp}/makemore-package-consumer-packages}"
names="${1:-$root/data/names.txt}"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

echo "== packing into $feed"
dotnet pack "$root/src/Makemore.ML" -c Release -v quiet -nologo
dotnet pack "$root/src/Makemore.ML.TorchSharp" -c Release -v quiet -nologo

echo "== building $here with packages in $packages"
mkdir -p "$packages"
rm -rf "$packages/makemore.ml" "$packages/makemore.ml.torchsharp" "$here/obj" "$here/bin"
dotnet build "$here" -c Release --packages "$packages" -v quiet -nologo

# NuGet writes the sha512 (base64) of each package it extracts beside it: compare with the packages just written to the feed.
for id in Makemore.ML Makemore.ML.TorchSharp; do
  lower="$(echo "$id" | tr '[:upper:]' '[:lower:]')"
  restored="$(base64 -d "$packages/$lower/0.1.0/$lower.0.1.0.nupkg.sha512" | od -An -v -tx1 | tr -d ' \n')"
  packed="$(sha512sum "$feed/$id.0.1.0.nupkg" | cut -d' ' -f1)"
  if [ "$restored" != "$packed" ]; then
    echo "run.sh: $id 0.1.0 in $packages is not the package just packed into $feed" >&2
    exit 1
  fi
done
echo "restored Makemore.ML and Makemore.ML.TorchSharp 0.1.0 are the packages just packed"

echo "== running"
dotnet run --project "$here" -c Release --no-build -- "$names"
