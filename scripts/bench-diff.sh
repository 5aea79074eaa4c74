#!/usr/bin/env bash
# Micro-benchmark (not a test): Ferry's commit diff against git's, in the same run.
#
# Generates repositories of 10,000 and 100,000 small files in nested directories
# (dNNN/sNN/fNNNNNN.txt, 100 files per directory) with a second commit changing 100
# files spread over the tree, builds ferry in release mode, and measures:
#   1. whole process: `ferry diff A B` against `git diff --name-only A B`;
#   2. the diff alone: ferry's in-process `--timing` (the tree-to-tree diff with
#      rename detection, nothing else) against git's diff found by the floor method:
#      `git diff-tree -r --name-only A B` minus `git rev-parse A` (a git process that
#      starts, opens the repository and resolves a commit, then stops);
#   3. process start-up: `ferry version`.
# Each is reported twice: wall-clock medians, and CPU time (user + system; for ferry's
# diff, the diff thread's CPU time), which other load on the machine barely moves.
# hyperfine runs every command after warm-up (installed with apt-get when missing).
# Targets: ferry's diff alone at most as slow as git's whole command; ferry's start-up
# under 30 ms.
#
# Usage: scripts/bench-diff.sh            (SIZES="10000 100000" RUNS=30 by default)
set -euo pipefail

cd "$(dirname "$0")/.."
if [ -d /opt/swift/usr/bin ]; then export PATH=/opt/swift/usr/bin:$PATH; fi

SIZES=${SIZES:-"10000 100000"}
CHANGED=100
RUNS=${RUNS:-30}
WARMUP=5

WORK=$(mktemp -d /tmp/ferry-bench-diff.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

if ! command -v hyperfine > /dev/null; then
    echo "installing hyperfine (apt-get)" >&2
    apt-get install -y hyperfine > /dev/null 2>&1 || { apt-get update > /dev/null && apt-get install -y hyperfine > /dev/null; }
fi

# fast-import stream: commit 1 with $1 files, commit 2 changing $2 of them.
fast_import_stream() {
    awk -v files="$1" -v changed="$2" '
    function path(i) { return sprintf("d%03d/s%02d/f%06d.txt", int(i / 1000), int(i / 100) % 10, i) }
    function file(i, version,   text) {
        text = sprintf("file %d, version %d\nsome settings = %d\n", i, version, i * 7)
        printf "M 100644 inline %s\ndata %d\n%s\n", path(i), length(text), text
    }
    BEGIN {
        printf "commit refs/heads/main\nmark :1\ncommitter Bench <bench@example.org> 1700000000 +0000\ndata 5\nfirst\n"
        for (i = 0; i < files; i++) file(i, 1)
        printf "\ncommit refs/heads/main\nmark :2\ncommitter Bench <bench@example.org> 1700000100 +0000\ndata 6\nsecond\nfrom :1\n"
        for (k = 0; k < changed; k++) file(int(k * files / changed) + 7, 2)
        printf "\n"
    }'
}

generate_repository() {
    local dir=$1 files=$2
    git init -q --bare "$dir"
    fast_import_stream "$files" "$CHANGED" | git -C "$dir" fast-import --quiet
    git -C "$dir" repack -adq
}

# "wall-median-ms cpu-mean-ms" of a command started without a shell (hyperfine CSV:
# command,mean,stddev,median,user,system,min,max, in seconds).
measure() {
    local csv=$WORK/hyperfine.csv
    hyperfine --style none --shell=none --warmup "$WARMUP" --runs "$RUNS" --export-csv "$csv" "$1" > /dev/null 2>&1
    awk -F, 'NR == 2 { printf "%.2f %.2f", $4 * 1000, ($5 + $6) * 1000 }' "$csv"
}

# "wall-median-ms cpu-median-ms" of ferry's own --timing line over RUNS runs.
ferry_diff_alone() {
    local repo=$1 a=$2 b=$3
    for _ in $(seq "$WARMUP"); do "$FERRY" diff "$a" "$b" --repo "$repo" --timing > /dev/null 2>&1; done
    for _ in $(seq "$RUNS"); do
        "$FERRY" diff "$a" "$b" --repo "$repo" --timing 2>&1 > /dev/null | awk '/^diff:/ { print $2, $5 }'
    done > "$WORK/timings"
    printf '%s %s' "$(median 1 < "$WORK/timings")" "$(median 2 < "$WORK/timings")"
}

median() {
    awk -v column="$1" '{ print $column }' | sort -n |
        awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; printf "%.2f", (d < 0 ? 0 : d) }'; }

echo "building ferry (release)..." >&2
swift build -c release --product ferry > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
FERRY="$(swift build -c release --show-bin-path)/ferry"

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(git --version), $("$FERRY" version)"
echo "wall: medians of $RUNS runs after $WARMUP warm-up runs; CPU: user + system (mean); times in ms"

read -r startup_wall startup_cpu <<< "$(measure "$FERRY version")"
wall_rows=()
cpu_rows=()
for files in $SIZES; do
    repo=$WORK/repo-$files.git
    echo "generating $files files..." >&2
    generate_repository "$repo" "$files"
    a=$(git -C "$repo" rev-parse main~1)
    b=$(git -C "$repo" rev-parse main)
    count=$("$FERRY" diff "$a" "$b" --repo "$repo" | wc -l)
    [ "$count" -eq "$CHANGED" ] || { echo "ferry diff listed $count paths, expected $CHANGED" >&2; exit 1; }
    [ "$(git -C "$repo" diff --name-only "$a" "$b" | wc -l)" -eq "$CHANGED" ] || { echo "git diff disagrees" >&2; exit 1; }

    read -r ferry_wall ferry_cpu <<< "$(measure "$FERRY diff $a $b --repo $repo")"
    read -r git_wall git_cpu <<< "$(measure "git -C $repo diff --name-only $a $b")"
    read -r alone_wall alone_cpu <<< "$(ferry_diff_alone "$repo" "$a" "$b")"
    read -r tree_wall tree_cpu <<< "$(measure "git -C $repo diff-tree -r --name-only $a $b")"
    read -r floor_wall floor_cpu <<< "$(measure "git -C $repo rev-parse $a")"
    git_alone_wall=$(minus "$tree_wall" "$floor_wall")
    git_alone_cpu=$(minus "$tree_cpu" "$floor_cpu")

    wall_rows+=("$files $ferry_wall $git_wall $(ratio "$ferry_wall" "$git_wall") $alone_wall $git_alone_wall $(ratio "$alone_wall" "$git_wall")")
    cpu_rows+=("$files $ferry_cpu $git_cpu $(ratio "$ferry_cpu" "$git_cpu") $alone_cpu $git_alone_cpu $(ratio "$alone_cpu" "$git_cpu")")
done

table() {
    echo
    echo "$1"
    printf '%-7s | %13s | %11s | %5s | %10s | %8s | %s\n' \
        files "ferry process" "git process" ratio "ferry diff" "git diff" "ferry diff / git process"
    shift
    for row in "$@"; do
        # shellcheck disable=SC2086
        printf '%-7s | %13s | %11s | %5s | %10s | %8s | %s\n' $row
    done
}
table "wall clock (median)" "${wall_rows[@]}"
table "CPU time" "${cpu_rows[@]}"
echo
echo "ferry start-up (ferry version): $startup_wall ms wall, $startup_cpu ms CPU (target < 30 ms)"
