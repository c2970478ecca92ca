#!/usr/bin/env bash
# Builds libFuzzer harnesses for the GlidepathData readers and runs each briefly.
#
#   scripts/fuzz-data.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Targets: idx cifar gzip tar zip text (default: all). The harnesses (Fuzz/*.swift) are compiled
# once, together with the GlidepathData sources (module name GlidepathData, so internals are
# reachable), with -sanitize=fuzzer,address; GLIDEPATH_FUZZ_TARGET selects the harness at run time. Corpora live in .build/fuzz/corpus-TARGET (seeded with small generated
# inputs); crashers are written to .build/fuzz/crash-TARGET-*; turn each into a regression test in
# Tests/GlidepathDataTests/FuzzRegressionTests.swift.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(idx cifar gzip tar zip text)
out=.build/fuzz
mkdir -p "$out"


seed_corpus() {
    local target=$1 dir=$2
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
    case $target in
      idx)   printf '\x03\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x02\x01\x02\x03\x04\x05\x06\x07\x08\x00\x00\x08\x01\x00\x00\x00\x02\x01\x02' > "$dir/seed" ;;
      cifar) head -c 3073 /dev/zero > "$dir/seed"; head -c 3073 /dev/zero | gzip -c > "$dir/seed.gz" ;;
      gzip)  printf 'hello hello hello\n' | gzip -c > "$dir/seed" ;;
      tar)   tmp=$(mktemp -d); printf 'abc' > "$tmp/a.txt"; mkdir "$tmp/d"; (cd "$tmp" && tar -cf "$OLDPWD/$dir/seed" a.txt d); rm -rf "$tmp" ;;
      zip)   python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED); z.writestr('SST-2/train.tsv','sentence\tlabel\nok\t1\n'); z.close()" "$dir/seed" ;;
      text)  printf 'sentence\tlabel\ngood <br /> film\t1\n' > "$dir/seed" ;;
    esac
}

echo "== building $out/data-fuzzer"
# GlidepathData imports GlidepathRandom (its generators): build that module first, then the readers and
# the harnesses against it. The gold linker warns once per ASan helper symbol; the warnings are harmless.
mkdir -p "$out/modules"
swiftc -O -sanitize=address -parse-as-library -module-name GlidepathRandom -emit-module \
    -emit-module-path "$out/modules/GlidepathRandom.swiftmodule" -emit-library -static \
    -o "$out/libGlidepathRandom.a" Sources/GlidepathRandom/*.swift
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name GlidepathData \
    -I "$out/modules" -L "$out" -lGlidepathRandom \
    -I Sources/CZlib -lz Sources/GlidepathData/*.swift Fuzz/*.swift -o "$out/data-fuzzer" 2>&1 \
    | grep -v "Cannot export local symbol" || true
test -x "$out/data-fuzzer"

status=0
for target in "${targets[@]}"; do
    seed_corpus "$target" "$out/corpus-$target"
    echo "== fuzzing $target for ${seconds}s (log: $out/log-$target.txt)"
    # A crash ends this target's run (non-zero exit) but not the script: the other targets still run.
    if ASAN_OPTIONS=detect_leaks=0:symbolize=0 GLIDEPATH_FUZZ_TARGET=$target "$out/data-fuzzer" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$out/crash-$target-" "$out/corpus-$target" > "$out/log-$target.txt" 2>&1; then
        grep -E "^Done|^#[0-9]+.*DONE" "$out/log-$target.txt" | tail -n 1
    else
        echo "!! $target: the fuzzer stopped on a finding; see $out/log-$target.txt and $out/crash-$target-*"
        status=1
    fi
done
exit $status
