#!/usr/bin/env bash
# Fuzzes the config decoder and every parser of host output (probe, manifest, release check,
# lock, journal, process/hook/systemd output) for SECONDS each (default 60), after replaying
# the committed corpus under fixtures/fuzz/. Inputs are generated: committed seeds mutated,
# random bytes and the formats' tokens, from a random seed printed with each target.
# A crash or hang leaves its input in fixtures/fuzz/<target>/crashes/; a broken rule (say, a
# host's path outside the release accepted) or a slow input is saved there too. Commit those
# with the fix: the suite (Tests/FerryFuzzTests) replays them. Exits 1 when anything was found.
# Usage:
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (targets: ferry-fuzz --list)
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
swift build --product ferry-fuzz >/dev/null || exit 1
fuzz="$(swift build --show-bin-path)/ferry-fuzz"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <("$fuzz" --list)
status=0
for target in "${targets[@]}"; do
    "$fuzz" --seconds "$seconds" "$target"
    code=$?
    if [ "$code" -ne 0 ]; then
        status=1
        if [ "$code" -gt 128 ]; then
            echo "$target: crashed (signal $((code - 128))); the input is in fixtures/fuzz/$target/crashes/" >&2
        fi
    fi
done
exit "$status"
