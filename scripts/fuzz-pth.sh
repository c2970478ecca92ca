#!/usr/bin/env bash
# Fuzzes the legacy torch.save reader (Sources/GlidepathMLRSNet/LegacyTorch/LegacyTorchFile.swift) with libFuzzer and
# AddressSanitizer.
#
#   scripts/fuzz-pth.sh [SECONDS]          (default 300)
#
# Seeds: the published MLR-SNet .pth files from $GLIDEPATH_WEIGHTS_DIR/mlrsnet (or
# ../shared/weights/mlrsnet), copied into a scratch corpus directory under .build/fuzz-pth.
# Crashes are written to .build/fuzz-pth/artifacts/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-300}"
work="$root/.build/fuzz-pth"
weights="${GLIDEPATH_WEIGHTS_DIR:-$root/../shared/weights}/mlrsnet"
mkdir -p "$work/corpus" "$work/artifacts"
for file in "$weights"/*.pth; do
    [[ -f "$file" ]] && cp "$file" "$work/corpus/$(basename "$file")"
done
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FuzzLegacyTorch \
    "$root/Sources/GlidepathMLRSNet/LegacyTorch/LegacyTorchFile.swift" \
    "$root/Sources/GlidepathMLRSNet/LegacyTorch/LegacyTorchFormatError.swift" \
    "$root/Sources/GlidepathMLRSNet/LegacyTorch/RestrictedUnpickler.swift" \
    "$root/scripts/fuzz/FuzzLegacyTorch.swift" \
    -o "$work/fuzz-pth"
"$work/fuzz-pth" "$work/corpus" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
    -timeout=10 -artifact_prefix="$work/artifacts/" -print_final_stats=1
