#!/usr/bin/env bash
# Micro-benchmark (not a test): Ferry's commit diff against git's, in the same run.
#
# Generates repositories of 10,000 and 100,000 small files in nested directories,
# with a second commit that changes 100 of them, builds ferry in release mode, and
# measures:
#   1. whole process: `ferry diff A B` vs `git diff --name-only A B`;
#   2. the diff alone: ferry's in-process `--timing` (the tree-to-tree diff with
#      rename detection, nothing else) vs git's marginal cost of one diff inside one
#      process: `git diff-tree -r -M --name-only --stdin` fed K tree pairs, minus the
#      same fed one pair, divided by K-1 (start-up, repository discovery and object
#      database set-up cancel out). The floor method is shown too: `git diff-tree A B`
#      minus `git rev-parse A` (a git process that opens the repository and does nothing);
#   3. process start-up: `ferry version` (and `git rev-parse` for scale).
# Timings are medians of hyperfine runs after warm-up (installed with apt-get when
# missing). Targets: ferry's diff alone at most as slow as git's whole command;
# ferry's start-up under 30 ms.
#
# Usage: scripts/bench-diff.sh            (SIZES="10000 100000" RUNS=30 by default)
set -euo pipefail

cd "$(dirname "$0")/.."
if [ -d /opt/swift/usr/bin ]; then export PATH=/opt/swift/usr/bin:$PATH; fi

SIZES=${SIZES:-"10000 100000"}
CHANGED=100
RUNS=${RUNS:-30}
WARMUP=5
STDIN_PAIRS=200

WORK=$(mktemp -d /tmp/ferry-bench-diff.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

if ! command -v hyperfine > /dev/null; then
    echo "installing hyperfine (apt-get)" >&2
    apt-get install -y hyperfine > /dev/null 2>&1 || { apt-get update > /dev/null && apt-get install -y hyperfine > /dev/null; }
fi

# fast-import stream: commit 1 with $1 files (dNNN/sNN/fNNNNNN.txt, 100 per directory,
# 10 directories per parent), commit 2 changing $2 files spread over the tree.
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

# Median (ms) of a command, started without a shell, from hyperfine's CSV export.
median_ms() {
    hyperfine_median --shell=none "$1"
}

# The same for a command that needs a shell (a redirection); hyperfine subtracts
# the shell's own start-up.
median_ms_shell() {
    hyperfine_median --shell=bash "$1"
}

hyperfine_median() {
    local csv=$WORK/hyperfine.csv
    hyperfine --style none "$1" --warmup "$WARMUP" --runs "$RUNS" --export-csv "$csv" "$2" > /dev/null 2>&1
    awk -F, 'NR == 2 { printf "%.2f", $4 * 1000 }' "$csv"
}

# Median (ms) of ferry's own --timing line over RUNS runs.
ferry_diff_alone_ms() {
    local repo=$1 a=$2 b=$3
    for _ in $(seq "$WARMUP"); do "$FERRY" diff "$a" "$b" --repo "$repo" --timing > /dev/null 2>&1; done
    for _ in $(seq "$RUNS"); do
        "$FERRY" diff "$a" "$b" --repo "$repo" --timing 2>&1 > /dev/null | awk '/^diff:/ { print $2 }'
    done | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; printf "%.2f", (d < 0 ? 0 : d) }'; }

echo "building ferry (release)..." >&2
swift build -c release --product ferry > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
FERRY="$(swift build -c release --show-bin-path)/ferry"

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(git --version), $("$FERRY" version)"
echo "medians of $RUNS runs after $WARMUP warm-up runs; times in ms"
echo

startup=$(median_ms "$FERRY version")
git_floor_any=""
rows=()
for files in $SIZES; do
    repo=$WORK/repo-$files.git
    echo "generating $files files..." >&2
    generate_repository "$repo" "$files"
    a=$(git -C "$repo" rev-parse main~1)
    b=$(git -C "$repo" rev-parse main)
    ta=$(git -C "$repo" rev-parse "main~1^{tree}")
    tb=$(git -C "$repo" rev-parse "main^{tree}")
    count=$("$FERRY" diff "$a" "$b" --repo "$repo" | wc -l)
    [ "$count" -eq "$CHANGED" ] || { echo "ferry diff listed $count paths, expected $CHANGED" >&2; exit 1; }
    [ "$(git -C "$repo" diff --name-only "$a" "$b" | wc -l)" -eq "$CHANGED" ] || { echo "git diff disagrees" >&2; exit 1; }

    ferry_process=$(median_ms "$FERRY diff $a $b --repo $repo")
    git_process=$(median_ms "git -C $repo diff --name-only $a $b")
    ferry_alone=$(ferry_diff_alone_ms "$repo" "$a" "$b")

    printf '%s %s\n' "$ta" "$tb" > "$WORK/one-pair"
    for _ in $(seq "$STDIN_PAIRS"); do printf '%s %s\n' "$ta" "$tb"; done > "$WORK/many-pairs"
    git_one=$(median_ms_shell "git -C $repo diff-tree -r -M --name-only --stdin < $WORK/one-pair")
    git_many=$(median_ms_shell "git -C $repo diff-tree -r -M --name-only --stdin < $WORK/many-pairs")
    git_alone=$(awk -v m="$git_many" -v o="$git_one" -v k="$STDIN_PAIRS" 'BEGIN { d = (m - o) / (k - 1); printf "%.2f", (d < 0 ? 0 : d) }')
    git_floor=$(median_ms "git -C $repo rev-parse $a")
    git_diff_tree=$(median_ms "git -C $repo diff-tree -r --name-only $a $b")
    git_alone_floor=$(minus "$git_diff_tree" "$git_floor")
    git_floor_any=$git_floor

    rows+=("$files|$ferry_process|$git_process|$(ratio "$ferry_process" "$git_process")|$ferry_alone|$git_alone|$git_alone_floor|$(ratio "$ferry_alone" "$git_process")")
done

printf '%-8s | %-13s | %-11s | %-5s | %-10s | %-14s | %-14s | %s\n' \
    files "ferry process" "git process" ratio "ferry diff" "git diff (K)" "git diff (floor)" "ferry diff / git process"
for row in "${rows[@]}"; do
    IFS='|' read -r files fp gp r fa ga gf rr <<< "$row"
    printf '%-8s | %13s | %11s | %5s | %10s | %14s | %16s | %s\n' "$files" "$fp" "$gp" "$r" "$fa" "$ga" "$gf" "$rr"
done
echo
echo "ferry start-up (ferry version): $startup ms (target < 30 ms); git rev-parse in the same repository: $git_floor_any ms"
