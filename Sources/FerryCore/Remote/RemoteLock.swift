import FerrySSH
import Foundation

/// The per-service lock on a host that keeps two agents from deploying the same service
/// at once: `.ferry/lock`, a file of `key=value` lines (token, agent, pid, host, acquired,
/// expires as epoch seconds on the host's clock).
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
    public func acquireScript(timeToLive: Duration, replacing deadHolder: String? = nil) -> RemoteScript {
        let seconds = max(0, timeToLive.components.seconds)
        var fields = ["token=\(owner.token)", "agent=\(owner.agent)", "pid=\(owner.pid)", "host=\(owner.host)"]
        if let start = owner.processStart { fields.append("started=\(start)") }
        if let run = owner.runID { fields.append("run=\(run)") }
        let text = RemoteShell.prologue + variables + Self.guardFunctions + """
        umask 077
        mkdir -p -- "$f" || ferry_fail "cannot create $f"
        now=$(date +%s)
        expires=$((now + \(seconds)))
        printf '%s\\n' \(ShellQuote.command(fields)) "acquired=$now" "expires=$expires" > "$claim" || ferry_fail "cannot write $claim"
        if ln -- "$claim" "$lock" 2>/dev/null; then
          rm -f -- "$claim"
          printf 'outcome=acquired\\nexpires=%s\\n' "$expires"
          exit 0
        fi
        if ! ferry_take_guard; then
          rm -f -- "$claim"
          printf 'outcome=busy\\n'
          exit 0
        fi
        outcome=failed
        if ln -- "$claim" "$lock" 2>/dev/null; then
          outcome=acquired
        else
          held=$(sed 's/^/holder./' "$lock" 2>/dev/null)
          held_token=$(ferry_lock_field token)
          held_expires=$(ferry_lock_field expires)
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
        rm -f -- "$claim"
        case $outcome in
          acquired) printf 'outcome=acquired\\nexpires=%s\\n' "$expires" ;;
          took-over) printf 'outcome=took-over\\nexpires=%s\\n%s\\n' "$expires" "$held" ;;
          held) printf 'outcome=held\\n%s\\n' "$held" ;;
          *) ferry_fail "cannot replace $lock" ;;
        esac

        """
        return RemoteScript(text: text)
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
        if [ ! -e "$lock" ]; then
          outcome=not-held
        elif [ "$(ferry_lock_field token)" = "$token" ]; then
          rm -f -- "$lock" && outcome=released
        else
          outcome=other
          held=$(sed 's/^/holder./' "$lock" 2>/dev/null)
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

    /// The shell variables both scripts use.
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
        held=$(sed 's/^/holder./' "$lock" 2>/dev/null)
        rm -f -- "$lock" || { rmdir -- "$guard" 2>/dev/null; ferry_fail "cannot remove $lock"; }
        rmdir -- "$guard" 2>/dev/null
        printf 'outcome=broken\\n%s\\n' "$held"

        """)
    }

    private var variables: String {
        """
        f=\(ShellQuote.quote(layout.stateDirectory))
        lock="$f/lock"
        guard="$f/lock.guard"
        token=\(ShellQuote.quote(owner.token))
        claim="$f/lock.claim.$token"

        """
    }

    /// `ferry_lock_field KEY`: the first value of KEY in the lock file.
    /// `ferry_take_guard`: makes the guard directory, waiting up to 3 s for another agent
    /// to leave it, then removing it if it is older than 30 s (its maker was killed).
    private static let guardFunctions = #"""
    ferry_lock_field() { sed -n "s/^$1=//p" "$lock" 2>/dev/null | head -n 1; }
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
