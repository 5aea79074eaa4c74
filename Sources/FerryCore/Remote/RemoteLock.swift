import FerrySSH
import Foundation

/// The per-service lock on a host that keeps two agents from deploying the same service
/// at once: `.ferry/lock`, a file of `key=value` lines (token, agent, pid, host, acquired,
/// expires as epoch seconds on the host's clock, and the host's uptime when it was taken).
///
/// Taking a free lock is one `ln` of a complete file (atomic, never half-written). Taking
/// over an expired lock and releasing one happen under a guard directory made by `mkdir`
/// (atomic), held for a few milliseconds: inside it the lock file can change only through
/// the guard holder, so a lock is replaced only if it is still the expired one that was
/// read, and removed only by its owner. A guard left by an agent killed inside it is
/// removed after 30 seconds.
public struct RemoteLock: Sendable {
    /// The service's layout.
    public let layout: RemoteLayout
    /// Who takes the lock.
    public let owner: RemoteLockOwner

    /// The lock of the service at `layout`, taken by `owner`.
    public init(layout: RemoteLayout, owner: RemoteLockOwner) {
        self.layout = layout
        self.owner = owner
    }

    /// Takes the lock until `timeToLive` from now (host clock), or takes it over if its
    /// holder has expired or holds it with the token `deadHolder` (an owner the agent proved
    /// dead), or reports the holder. Taking it again with the same token renews the
    /// expiry: the lock is a lease. Read the output with ``parseAcquisition(_:)``.
    ///
    /// With `haltingUnlessAcquired` the script exits with ``ScriptBatch/haltStatus`` for every
    /// outcome but `acquired`, so a ``ScriptBatch`` that starts with it runs nothing else unless
    /// this agent holds the lock.
    ///
    /// With `keepingIfLasting`, a lock this agent holds that still lasts that long is left as it
    /// is (`outcome=acquired` with its expiry). The check runs no process where `/proc/uptime`
    /// is readable: the lock file records the host's uptime with the time it was taken, so the
    /// time now is that time plus the uptime since (rounded up a second; after a reboot, or
    /// on a lock an older Ferry wrote, one `date`).
    public func acquireScript(timeToLive: Duration, replacing deadHolder: String? = nil,
                              haltingUnlessAcquired: Bool = false, keepingIfLasting lasting: Duration? = nil) -> RemoteScript {
        let seconds = max(0, timeToLive.components.seconds)
        let notAcquired = haltingUnlessAcquired ? "exit \(ScriptBatch.haltStatus)" : "exit 0"
        var fields = ["token=\(owner.token)", "agent=\(owner.agent)", "pid=\(owner.pid)", "host=\(owner.host)"]
        if let start = owner.processStart { fields.append("started=\(start)") }
        if let run = owner.runID { fields.append("run=\(run)") }
        var text = RemoteShell.prologue + variables + Self.guardFunctions + """
        umask 077
        [ -d "$f" ] || mkdir -p -- "$f" || ferry_fail "cannot create $f"

        """
        if let lasting {
            text += """
            ferry_lock_read
            ferry_uptime
            now= ferry_estimated=
            if [ -n "$held_token" ] && [ "$held_token" = "$token" ] && [ -n "$ferry_up" ]; then
              case $held_acquired:$held_uptime in
                *[!0-9:]*|:*|*:) ;;
                *) if [ "$ferry_up" -ge "$held_uptime" ]; then now=$((held_acquired + ferry_up - held_uptime + 1)); ferry_estimated=1; fi ;;
              esac
            fi
            [ -n "$now" ] || now=$(date +%s)
            case $held_expires in ''|*[!0-9]*) held_expires=0 ;; esac
            if [ -n "$held_token" ] && [ "$held_token" = "$token" ] && [ "$held_expires" -ge $((now + \(max(0, lasting.components.seconds)))) ]; then
              printf 'outcome=acquired\\nexpires=%s\\n' "$held_expires"
              exit 0
            fi
            # A renewal counts from the host's clock, not from an estimate.
            [ -z "$ferry_estimated" ] || now=$(date +%s)

            """
        } else {
            text += "now=$(date +%s)\n"
        }
        text += """
        ferry_uptime
        expires=$((now + \(seconds)))
        printf '%s\\n' \(ShellQuote.command(fields)) "acquired=$now" "expires=$expires" "uptime=$ferry_up" > "$claim" || ferry_fail "cannot write $claim"
        ferry_lock_read
        if [ "$held_token" != "$token" ] && ln -- "$claim" "$lock" 2>/dev/null; then
          rm -f -- "$claim"
          printf 'outcome=acquired\\nexpires=%s\\n' "$expires"
          exit 0
        fi
        if ! ferry_take_guard; then
          rm -f -- "$claim"
          printf 'outcome=busy\\n'
          \(notAcquired)
        fi
        outcome=failed
        ferry_lock_read
        if [ "$held_token" != "$token" ] && ln -- "$claim" "$lock" 2>/dev/null; then
          outcome=acquired
        else
          ferry_lock_read
          case $held_expires in ''|*[!0-9]*) held_expires=0 ;; esac
          if [ "$held_token" = "$token" ]; then
            mv -f -T -- "$claim" "$lock" && outcome=acquired
          elif [ "$held_expires" -le "$now" ] || [ "$held_token" = \(ShellQuote.quote(deadHolder ?? "-")) ]; then
            mv -f -T -- "$claim" "$lock" && outcome=took-over
          else
            outcome=held
          fi
        fi
        rmdir -- "$guard" 2>/dev/null
        [ ! -e "$claim" ] || rm -f -- "$claim"
        case $outcome in
          acquired) printf 'outcome=acquired\\nexpires=%s\\n' "$expires" ;;
          took-over) printf 'outcome=took-over\\nexpires=%s\\n%s\\n' "$expires" "$held"; \(notAcquired) ;;
          held) printf 'outcome=held\\n%s\\n' "$held"; \(notAcquired) ;;
          *) ferry_fail "cannot replace $lock" ;;
        esac

        """
        return RemoteScript(text: text)
    }

    /// Checks, with shell built-ins only, that ``owner`` still holds the lock, without renewing
    /// it: prints `outcome=held` and exits 0 when it does; otherwise prints `outcome=other` or
    /// `outcome=not-held` with the holder's fields and exits with ``ScriptBatch/haltStatus``, so
    /// nothing after it in a ``ScriptBatch`` runs. For a step that comes soon after the lease
    /// was taken or renewed, with more than enough of it left (the agent counts).
    public func confirmScript() -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + variables + Self.guardFunctions + """
        ferry_lock_read
        if [ -n "$held_token" ] && [ "$held_token" = "$token" ]; then
          printf 'outcome=held\\n'
          exit 0
        fi
        if [ -n "$held_token" ]; then printf 'outcome=other\\n%s\\n' "$held"; else printf 'outcome=not-held\\n'; fi
        exit \(ScriptBatch.haltStatus)

        """)
    }

    /// Removes the lock if ``owner`` holds it; leaves anyone else's alone.
    /// Read the output with ``parseRelease(_:)``.
    public func releaseScript() -> RemoteScript {
        let text = RemoteShell.prologue + variables + Self.guardFunctions + """
        if [ ! -e "$lock" ]; then
          printf 'outcome=not-held\\n'
          exit 0
        fi
        if ! ferry_take_guard; then
          printf 'outcome=busy\\n'
          exit 0
        fi
        outcome=failed
        ferry_lock_read
        if [ ! -e "$lock" ]; then
          outcome=not-held
        elif [ "$held_token" = "$token" ]; then
          rm -f -- "$lock" && outcome=released
        else
          outcome=other
        fi
        rmdir -- "$guard" 2>/dev/null
        case $outcome in
          released|not-held) printf 'outcome=%s\\n' "$outcome" ;;
          other) printf 'outcome=other\\n%s\\n' "$held" ;;
          *) ferry_fail "cannot remove $lock" ;;
        esac

        """
        return RemoteScript(text: text)
    }

    /// Removes the lock whoever holds it (`ferry unlock`, the audited break-glass). Prints
    /// `outcome=broken` with the holder's fields, `outcome=not-held`, or `outcome=busy`;
    /// read with ``parseRelease(_:)``.
    public func breakScript() -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + variables + Self.guardFunctions + """
        if [ ! -e "$lock" ]; then
          printf 'outcome=not-held\\n'
          exit 0
        fi
        if ! ferry_take_guard; then
          printf 'outcome=busy\\n'
          exit 0
        fi
        ferry_lock_read
        rm -f -- "$lock" || { rmdir -- "$guard" 2>/dev/null; ferry_fail "cannot remove $lock"; }
        rmdir -- "$guard" 2>/dev/null
        printf 'outcome=broken\\n%s\\n' "$held"

        """)
    }

    /// The shell variables the scripts use.
    private var variables: String {
        """
        f=\(ShellQuote.quote(layout.stateDirectory))
        lock="$f/lock"
        guard="$f/lock.guard"
        token=\(ShellQuote.quote(owner.token))
        claim="$f/lock.claim.$token"

        """
    }

    /// `ferry_lock_read`: reads the lock file with shell built-ins only (a lease renewed at
    /// every phase of a deploy costs no extra process): sets `held_token`, `held_expires`,
    /// `held_acquired` and `held_uptime` (the first value of each key) and `held` (every line,
    /// prefixed with `holder.`); all empty when there is no lock file.
    /// `ferry_uptime`: sets `ferry_up` to the whole seconds since the host booted, from
    /// `/proc/uptime` (a built-in `read`), or empty where it cannot be read.
    /// `ferry_take_guard`: makes the guard directory, waiting up to 3 s for another agent
    /// to leave it, then removing it if it is older than 30 s (its maker was killed).
    private static let guardFunctions = #"""
    ferry_lock_read() {
      held_token= held_expires= held_acquired= held_uptime= held= ferry_token_seen= ferry_expires_seen= ferry_acquired_seen= ferry_uptime_seen=
      [ -f "$lock" ] || return 0
      while IFS= read -r ferry_line || [ -n "$ferry_line" ]; do
        case $ferry_line in
          token=*) [ -n "$ferry_token_seen" ] || { held_token=${ferry_line#token=}; ferry_token_seen=1; } ;;
          expires=*) [ -n "$ferry_expires_seen" ] || { held_expires=${ferry_line#expires=}; ferry_expires_seen=1; } ;;
          acquired=*) [ -n "$ferry_acquired_seen" ] || { held_acquired=${ferry_line#acquired=}; ferry_acquired_seen=1; } ;;
          uptime=*) [ -n "$ferry_uptime_seen" ] || { held_uptime=${ferry_line#uptime=}; ferry_uptime_seen=1; } ;;
        esac
        held="$held${held:+
    }holder.$ferry_line"
        ferry_line=
      done 2>/dev/null < "$lock"
    }
    ferry_uptime() {
      ferry_up=
      { read -r ferry_up ferry_idle < /proc/uptime; } 2>/dev/null || ferry_up=
      ferry_up=${ferry_up%%.*}
      case $ferry_up in ''|*[!0-9]*) ferry_up= ;; esac
    }
    ferry_take_guard() {
      ferry_tries=0
      while ! mkdir -- "$guard" 2>/dev/null; do
        ferry_tries=$((ferry_tries + 1))
        if [ "$ferry_tries" -ge 30 ]; then
          ferry_guard_time=$(stat -c %Y -- "$guard" 2>/dev/null) || return 1
          [ $(( $(date +%s) - ferry_guard_time )) -gt 30 ] || return 1
          rmdir -- "$guard" 2>/dev/null
          mkdir -- "$guard" 2>/dev/null
          return
        fi
        sleep 0.1
      done
    }

    """#
}
