#!/usr/bin/env bash
# Packs Makemore.ML and Makemore.ML.TorchSharp into examples/local-feed, then builds and runs this consumer against
# those packages with a fresh packages folder (so a stale NuGet cache cannot hide a broken package).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
packages="$(mktemp -d)"
trap 'rm -rf "$packages"' EXIT
dotnet pack "$root/src/Makemore.ML" -c Release -v quiet
dotnet pack "$root/src/Makemore.ML.TorchSharp" -c Release -v quiet
NUGET_PACKAGES="$packages" dotnet run --project "$here" -c Release -- "$root/data/names.txt"
