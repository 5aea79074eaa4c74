import FerrySSH
import Foundation

/// Control of a service run with `manager: process`, for hosts without systemd: a plain
/// process tracked by `.ferry/pid`, which holds its pid and its start time (so a pid the
/// kernel gave to another process since is never taken for it).
///
/// The process is started in the current release directory by
/// `setsid [timeout MAX] /bin/sh -c COMMAND` (or the command's words themselves, when they
/// need no shell: ``plainWords(of:)``) with hang-ups ignored (what `nohup` does, set by
/// the shell without starting `nohup`), standard input from `/dev/null` and output appended
/// to `.ferry/service.log` (or the file its `logging` names): its own session and process
/// group, no terminal, no descriptor of the SSH channel, so it outlives the SSH session. `max_lifetime` becomes `timeout`. Its environment comes
/// from `.ferry/env` (see ``EnvironmentFile``). `pre_shutdown` hooks are separate
/// (``HookScript``); run them before ``stop(timeout:force:)``.
public struct ProcessScripts: Sendable {
    /// The service.
    public let service: RemoteService

    /// The scripts for `service`.
    public init(service: RemoteService) {
        self.service = service
    }

    /// Starts the service from the current release unless it already runs.
    /// Prints `started PID` or `already-running PID`.
    public func start() -> RemoteScript {
        RemoteScript(text: preamble + "ferry_start\n")
    }

    /// Sends SIGTERM to the service's process group and waits up to `timeout` for it to
    /// exit; then, when `force`, SIGKILL. Prints `stopped PID`, `killed PID`,
    /// `still-running PID` (exit status 1) or `not-running`.
    public func stop(timeout: Duration, force: Bool) -> RemoteScript {
        RemoteScript(text: preamble + "ferry_stop \(RemoteShell.tenthsOfSecond(timeout)) \(force ? "yes" : "no")\n")
    }

    /// Stops the service (SIGKILL after `timeout`) and starts it from the current release.
    public func restart(timeout: Duration) -> RemoteScript {
        RemoteScript(text: preamble + "ferry_stop \(RemoteShell.tenthsOfSecond(timeout)) yes || exit 1\nferry_start\n")
    }

    /// Prints `running PID`, `stopped`, or `failed PID` (the pidfile names a process that is gone);
    /// read with ``parseStatus(_:)``.
    public func status() -> RemoteScript {
        RemoteScript(text: preamble + #"""
        ferry_process_status "$pidfile"
        printf '%s %s\n' "$ferry_status" "$ferry_status_detail"

        """#)
    }

    /// What the start, stop and restart scripts reported, in order.
    public static func parseEvents(_ output: Data) throws -> [ProcessEvent] {
        try lines(output).map { words in
            let pid = words.count == 2 ? Int32(words[1]) : nil
            switch (words[0], pid) {
            case ("started", let pid?): return .started(pid: pid)
            case ("already-running", let pid?): return .alreadyRunning(pid: pid)
            case ("stopped", let pid?): return .stopped(pid: pid)
            case ("killed", let pid?): return .killed(pid: pid)
            case ("still-running", let pid?): return .stillRunning(pid: pid)
            case ("not-running", nil) where words.count == 1: return .notRunning
            default: throw RemoteError(.malformedOutput, "the process script printed \"\(words.joined(separator: " "))\"")
            }
        }
    }

    /// What ``status()`` reported.
    public static func parseStatus(_ output: Data) throws -> ServiceStatus {
        guard let words = try lines(output).last else {
            throw RemoteError(.malformedOutput, "the status script printed nothing")
        }
        switch (words[0], words.count == 2 ? Int32(words[1]) : nil) {
        case ("running", let pid?): return .running(pid: pid)
        case ("failed", _?): return .failed
        case ("stopped", nil): return .stopped
        default: throw RemoteError(.malformedOutput, "the status script printed \"\(words.joined(separator: " "))\"")
        }
    }

    private static func lines(_ output: Data) throws -> [[String]] {
        String(decoding: output, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .filter { !$0.isEmpty }
    }

    /// Variables and the `ferry_start` / `ferry_stop TENTHS FORCE` functions.
    private var preamble: String {
        RemoteShell.prologue + RemoteShell.processFunctions + """
        d=\(ShellQuote.quote(service.layout.root))
        f="$d/.ferry"
        pidfile="$f/pid"
        log=\(ShellQuote.quote(logFile))
        ferry_start() {
          [ -d "$f" ] || mkdir -p -m 0700 -- "$f" || ferry_fail "cannot create $f"
          if ferry_read_pid "$pidfile" && ferry_alive "$ferry_pid" "$ferry_started"; then
            printf 'already-running %s\\n' "$ferry_pid"
            return 0
          fi
          cd -P -- "$d/current" 2>/dev/null || ferry_fail "there is no current release under $d"
          (umask 077; : >>"$log") || ferry_fail "cannot write $log"
          (
            if [ -f "$f/env" ]; then . "$f/env" || exit 1; fi
            trap '' HUP
            exec setsid \(launcher)\(program)
          ) </dev/null >>"$log" 2>&1 &
          ferry_pid=$!
          ferry_start_time "$ferry_pid"
          printf '%s %s\\n' "$ferry_pid" "$ferry_start" > "$pidfile.$$" \\
            && mv -f -T -- "$pidfile.$$" "$pidfile" || ferry_fail "cannot write $pidfile"
          printf 'started %s\\n' "$ferry_pid"
        }
        """ + Self.stopFunction
    }

    /// Where the process's output is appended: the declared `logging` file, else `.ferry/service.log`.
    var logFile: String {
        if case .file(let path)? = service.logTarget { return path }
        return service.layout.root + "/.ferry/service.log"
    }

    /// What `setsid` runs: the command's words themselves when they need no shell
    /// (``plainWords(of:)``), one process less; else `/bin/sh -c COMMAND`.
    var program: String {
        if let words = Self.plainWords(of: service.command) { return words.map(ShellQuote.quote).joined(separator: " ") }
        return "/bin/sh -c " + ShellQuote.quote(service.command)
    }

    /// The words of `command` when a shell would run it as they are: words of letters, digits
    /// and `_ . / : @ % + , = -` separated by spaces, the first naming a program (not a shell
    /// built-in or keyword, an assignment or an option); nil otherwise.
    static func plainWords(of command: String) -> [String]? {
        let words = command.split(separator: " ").map(String.init)
        guard let first = words.first, !first.contains("="), !first.hasPrefix("-"), !shellWords.contains(first),
              words.allSatisfy({ $0.unicodeScalars.allSatisfy(plainCharacters.contains) }) else { return nil }
        return words
    }

    private static let plainCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+,=-")

    /// Names a shell runs itself rather than as a program: POSIX special and regular built-ins,
    /// keywords, and the common extensions.
    private static let shellWords: Set<String> = [
        ".", ":", "!", "{", "}", "[[", "alias", "bg", "break", "case", "cd", "command", "continue", "do", "done", "elif", "else",
        "esac", "eval", "exec", "exit", "export", "fc", "fg", "fi", "for", "function", "getopts", "hash", "if", "in", "jobs",
        "local", "read", "readonly", "return", "select", "set", "shift", "source", "then", "times", "trap", "type", "typeset",
        "ulimit", "umask", "unalias", "unset", "until", "wait", "while",
    ]

    /// `timeout` in front of the command when the lifecycle limits its lifetime: SIGTERM at
    /// `max_lifetime`, SIGKILL ten seconds later. `timeout` stays in the process group
    /// `setsid` made, so a stop still reaches the command.
    private var launcher: String {
        guard let limit = service.lifecycle.maxLifetime else { return "" }
        return "timeout --kill-after=10s \(RemoteShell.seconds(limit))s "
    }

    /// `ferry_stop TENTHS FORCE`. A background child of a non-interactive shell is not a
    /// process group leader, so `setsid` made it one without forking: its pid is its
    /// process group, which `kill -SIG -PID` reaches with all its children.
    private static let stopFunction = #"""

    ferry_stop() {
      if ! ferry_read_pid "$pidfile" || ! ferry_alive "$ferry_pid" "$ferry_started"; then
        if [ -e "$pidfile" ] || [ -L "$pidfile" ]; then rm -f -- "$pidfile"; fi
        printf 'not-running\n'
        return 0
      fi
      kill -TERM -"$ferry_pid" 2>/dev/null || kill -TERM "$ferry_pid" 2>/dev/null
      ferry_wait "$1"
      if ! ferry_alive "$ferry_pid" "$ferry_started"; then
        if [ "$2" = yes ]; then kill -KILL -"$ferry_pid" 2>/dev/null; fi
        rm -f -- "$pidfile"
        printf 'stopped %s\n' "$ferry_pid"
        return 0
      fi
      if [ "$2" != yes ]; then
        printf 'still-running %s\n' "$ferry_pid"
        return 1
      fi
      kill -KILL -"$ferry_pid" 2>/dev/null || kill -KILL "$ferry_pid" 2>/dev/null
      ferry_wait 50
      if ferry_alive "$ferry_pid" "$ferry_started"; then
        printf 'still-running %s\n' "$ferry_pid"
        return 1
      fi
      rm -f -- "$pidfile"
      printf 'killed %s\n' "$ferry_pid"
    }
    ferry_wait() {
      ferry_tries=0
      while [ "$ferry_tries" -lt "$1" ] && ferry_alive "$ferry_pid" "$ferry_started"; do
        sleep 0.1
        ferry_tries=$((ferry_tries + 1))
      done
    }

    """#
}

/// What a process start, stop or restart script did.
public enum ProcessEvent: Sendable, Equatable {
    /// The service was started as process (group) `pid`.
    case started(pid: Int32)
    /// The service already ran as `pid`; nothing was started.
    case alreadyRunning(pid: Int32)
    /// `pid` exited after SIGTERM.
    case stopped(pid: Int32)
    /// `pid` did not exit in time and was killed with SIGKILL.
    case killed(pid: Int32)
    /// `pid` still runs: it ignored SIGTERM and `force` was off (or it survived SIGKILL).
    case stillRunning(pid: Int32)
    /// Nothing ran.
    case notRunning
}
