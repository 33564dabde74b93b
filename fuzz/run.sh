#!/usr/bin/env bash
# Builds the libFuzzer targets from the real sources and runs each for a bounded time; exits
# non-zero when one finds a crash or a broken invariant (the input is kept in
# .build-fuzz/artifacts/ and printed by libFuzzer; replay it with `fuzz/run.sh --replay FILE TARGET`).
#
#   fuzz/run.sh                    # every target, FUZZ_SECONDS (default 20) each
#   fuzz/run.sh semver config      # some targets
#   FUZZ_SECONDS=600 FUZZ_SEED=0 fuzz/run.sh hook-input   # a longer, random campaign
#
# Sources/GitFiles, Sources/Git, Sources/Curl and Sources/ReleaseGuardian are compiled with swiftc (-sanitize=fuzzer,address,
# -enable-testing so the targets reach internal parsers), each target in fuzz/Targets is linked
# against them. Seeds are in fuzz/corpus/<target>/ and are only read; what libFuzzer learns goes
# to .build-fuzz/corpus/<target>/. Needs what `swift build` needs (ci/setup.sh) and the
# toolchain's libFuzzer runtime (swift.org toolchains for Linux ship it).
set -euo pipefail
cd "$(dirname "$0")/.."

# Swift's own crash backtracer fights AddressSanitizer's; libFuzzer and ASan report crashes.
export SWIFT_BACKTRACE=enable=no
all_targets=(semver hook-input config)
seconds=${FUZZ_SECONDS:-20}
# A fixed seed by default, so CI explores the same inputs on every run (a finding is a change's,
# not luck's); FUZZ_SEED=0 lets libFuzzer pick one, for longer campaigns.
seed=${FUZZ_SEED:-1}
build=.build-fuzz
replay=""
if [[ ${1:-} == --replay ]]; then
    replay=$2
    shift 2
fi
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")

source_of() {
    case $1 in
        semver) echo SemVer.swift ;;
        hook-input) echo HookInput.swift ;;
        config) echo Config.swift ;;
        *) echo "fuzz/run.sh: unknown target '$1' (targets: ${all_targets[*]})" >&2; exit 64 ;;
    esac
}

swiftc=$(command -v swiftc) || { echo "fuzz/run.sh: no swiftc on PATH" >&2; exit 2; }
toolchain=$(dirname "$(readlink -f "$swiftc")")
if ! compgen -G "$toolchain/../lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a" >/dev/null; then
    echo "fuzz/run.sh: this Swift toolchain has no libFuzzer runtime (lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a)" >&2
    exit 2
fi
flags=(-O -sanitize=fuzzer,address -parse-as-library -I Sources/CLibGit2 -I Sources/CZlib -I Sources/CCurl/include -I "$build/modules")
# The toolchain's lld links quietly; gold warns about every ASan symbol.
[[ -x $toolchain/ld.lld ]] && flags+=(-use-ld=lld)

mkdir -p "$build/modules" "$build/artifacts"

# ReleaseGuardian imports Crypto (swift-crypto, for known_hosts' HMAC-SHA1). SwiftPM builds it
# and its BoringSSL once, uninstrumented, in a scratch directory of its own; the fuzz modules see
# its two Swift modules and the targets link its objects.
swift build -c release --target Crypto --scratch-path "$build/spm" >&2
mkdir -p "$build/crypto-modules"
for module in Crypto CryptoBoringWrapper; do
    ln -sfn "$PWD/$build/spm/release/Modules/$module.swiftmodule" "$build/crypto-modules/$module.swiftmodule"
done
flags+=(-I "$build/crypto-modules")
mapfile -t crypto_objects < <(find -L "$build/spm/release/"{Crypto,CryptoBoringWrapper,CCryptoBoringSSL,CCryptoBoringSSLShims}.build -name '*.o' | sort)

# One module at a time, rebuilt when a source is newer than its object.
compile_module() {
    local name=$1 directory=$2 sources
    mapfile -t sources < <(find "$directory" -name '*.swift' | sort)
    if [[ -f $build/$name.o ]] && [[ -z $(find "$directory" fuzz/run.sh -newer "$build/$name.o" -print -quit) ]]; then
        return
    fi
    echo "fuzz/run.sh: compiling $directory (${#sources[@]} files)" >&2
    "$swiftc" "${flags[@]}" -module-name "$name" -wmo -enable-testing -c "${sources[@]}" \
        -emit-module -emit-module-path "$build/modules/$name.swiftmodule" -o "$build/$name.o"
}
compile_module GitFiles Sources/GitFiles
if [[ $build/GitFiles.o -nt $build/Git.o ]]; then rm -f "$build/Git.o"; fi
compile_module Git Sources/Git
# libcurl's loader (C), for the notices' module.
if [[ ! -f $build/CCurl.o ]] || [[ -n $(find Sources/CCurl fuzz/run.sh -newer "$build/CCurl.o" -print -quit) ]]; then
    "$toolchain/clang" -O1 -fsanitize=fuzzer-no-link,address -I Sources/CCurl/include -c Sources/CCurl/loader.c -o "$build/CCurl.o"
fi
compile_module Curl Sources/Curl
if [[ $build/Git.o -nt $build/ReleaseGuardian.o || $build/Curl.o -nt $build/ReleaseGuardian.o ]]; then
    rm -f "$build/ReleaseGuardian.o"
fi
compile_module ReleaseGuardian Sources/ReleaseGuardian

status=0
for target in "${targets[@]}"; do
    source=fuzz/Targets/$(source_of "$target")
    executable=$build/fuzz-$target
    "$swiftc" "${flags[@]}" -module-name "Fuzz${target//-/}" fuzz/Targets/Check.swift "$source" \
        "$build/GitFiles.o" "$build/Git.o" "$build/CCurl.o" "$build/Curl.o" "$build/ReleaseGuardian.o" "${crypto_objects[@]}" \
        -lgit2 -lz -o "$executable"
    if [[ -n $replay ]]; then
        "$executable" "$replay" || status=1
        continue
    fi
    mkdir -p "$build/corpus/$target"
    echo "fuzz/run.sh: fuzzing $target for ${seconds}s" >&2
    started=$SECONDS
    if "$executable" "$build/corpus/$target" "fuzz/corpus/$target" \
        -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$target-" >"$build/$target.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$target.log" | grep -o '[0-9]*$' || true)
        echo "fuzz/run.sh: $target: ${runs:-?} inputs in $((SECONDS - started))s, no crash" >&2
    else
        echo "fuzz/run.sh: $target FAILED; libFuzzer's log ($build/$target.log) ends:" >&2
        tail -n 40 "$build/$target.log" >&2
        status=1
    fi
done
exit $status
