/// Shell text shared by the remote scripts. Everything here is constant: the data of a
/// script reaches it only as words quoted by `ShellQuote.quote`.
enum RemoteShell {
    /// The start of every script: byte-wise sorting and messages whatever the host's
    /// locale, and `ferry_fail MESSAGE`, which explains on stderr and exits with status 1.
    static let prologue = #"""
    LC_ALL=C
    export LC_ALL
    ferry_fail() { printf 'ferry: %s\n' "$1" >&2; exit 1; }

    """#

    /// Functions for a process supervised through `.ferry/pid` (`<pid> <start time>`).
    ///
    /// - `ferry_alive PID [START]`: the process exists, is not a zombie and, when START is
    ///   given and `/proc` exists, started at START (so a reused pid is not mistaken for it).
    /// - `ferry_start_time PID`: sets `ferry_start` to its start time from `/proc/PID/stat`,
    ///   or empty (a variable, not output: no subshell to capture it).
    /// - `ferry_read_pid FILE`: sets `ferry_pid` and `ferry_started`; fails without a valid pid.
    /// - `ferry_process_status FILE`: sets `ferry_status` (running, stopped or failed) and
    ///   `ferry_status_detail` (the pid, or empty).
    static let processFunctions = #"""
    ferry_alive() {
      if [ -d /proc/self ]; then
        ferry_stat=
        { read -r ferry_stat < "/proc/$1/stat"; } 2>/dev/null || return 1
        ferry_expected=${2-}
        set -f
        set -- ${ferry_stat##*") "}
        set +f
        [ "$1" != Z ] || return 1
        [ -z "$ferry_expected" ] || [ "$ferry_expected" = "${20-}" ]
      else
        kill -0 "$1" 2>/dev/null
      fi
    }
    ferry_start_time() {
      ferry_start=
      ferry_stat=
      { read -r ferry_stat < "/proc/$1/stat"; } 2>/dev/null || return 0
      set -f
      set -- ${ferry_stat##*") "}
      set +f
      ferry_start=${20-}
    }
    ferry_read_pid() {
      ferry_pid=
      ferry_started=
      [ -f "$1" ] || return 1
      { read -r ferry_pid ferry_started < "$1"; } 2>/dev/null
      case $ferry_pid in ''|*[!0-9]*) return 1 ;; esac
      case $ferry_started in *[!0-9]*) ferry_started= ;; esac
      return 0
    }
    ferry_process_status() {
      if ! ferry_read_pid "$1"; then
        ferry_status=stopped
        ferry_status_detail=
      elif ferry_alive "$ferry_pid" "$ferry_started"; then
        ferry_status=running
        ferry_status_detail=$ferry_pid
      else
        ferry_status=failed
        ferry_status_detail=$ferry_pid
      fi
    }

    """#

    /// `duration` in seconds as `sleep` and `timeout` take it: `5`, `0.25`.
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = max(0, duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        let whole = milliseconds / 1000, fraction = milliseconds % 1000
        guard fraction > 0 else { return String(whole) }
        var decimals = String(fraction)
        decimals = String(repeating: "0", count: 3 - decimals.count) + decimals
        while decimals.hasSuffix("0") { decimals.removeLast() }
        return "\(whole).\(decimals)"
    }

    /// How many `sleep 0.1` steps fit in `duration`, at least one.
    static func tenthsOfSecond(_ duration: Duration) -> Int {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return max(1, Int((milliseconds + 99) / 100))
    }
}
