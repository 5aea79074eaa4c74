import FerryAudit

extension StatusReport {
    /// The report for people: a summary line, a table of every service on every host, then
    /// one line per suspension, quarantine and awaited approval.
    public var text: String {
        var text = summary + "\n"
        let rows = hostEntries.map { pair -> [String] in
            let host = pair.host
            return [pair.service.name, host.host, host.state.words, host.applied.map { String($0.commit.prefix(7)) } ?? "-",
                    host.applied.map { RFC3339.secondsString(from: $0.appliedAt) } ?? "-", host.pending?.short ?? "-",
                    host.lastResult.map(Self.describe) ?? "-"]
        }
        if !rows.isEmpty {
            text += TextTable.render(headers: ["SERVICE", "HOST", "STATE", "APPLIED", "AT", "PENDING", "LAST RESULT"], rows: rows)
        }
        return text + (services.flatMap(notes) + circuitNotes).map { $0 + "\n" }.joined()
    }

    /// One line per host whose circuit breaker is not closed and clean, by host name.
    private var circuitNotes: [String] {
        circuits.sorted { $0.key < $1.key }.map { host, circuit in
            let error = circuit.lastError.map { " (last error: \(TextTable.singleLine($0)))" } ?? ""
            switch circuit.state {
            case .open:
                let until = circuit.openUntil.map { " until \(RFC3339.secondsString(from: $0))" } ?? ""
                return "\(host): circuit open\(until): reconciles do not contact it\(error)"
            case .halfOpen:
                return "\(host): circuit half-open: one attempt per reconcile, \(circuit.successes) successful so far\(error)"
            case .closed:
                return "\(host): circuit closed, \(circuit.failures.count) recent \(circuit.failures.count == 1 ? "failure" : "failures")\(error)"
            }
        }
    }

    /// `origin/main at 1a2b3c4, last reconcile 2024-05-01T12:00:03Z: 6 service/host pairs: 4 ok, 1 pending, 1 suspended`.
    public var summary: String {
        let position = head.map { "origin/\(branch) at \($0.short)" } ?? "origin/\(branch) (no clone yet)"
        let last = lastReconciled.map { "last reconcile \(RFC3339.secondsString(from: $0.appliedAt))" } ?? "never reconciled"
        let pairs = hostEntries.count
        guard pairs > 0 else { return "\(position), \(last): no service on any host" }
        let counts = counts
        let tally = HostState.allCases.compactMap { state in counts[state].map { "\($0) \(state.words)" } }
        return "\(position), \(last): \(pairs) service/host \(pairs == 1 ? "pair" : "pairs"): \(tally.joined(separator: ", "))"
    }

    private func notes(_ service: ServiceEntry) -> [String] {
        var notes: [String] = []
        if let suspension = service.suspension {
            var note = "\(service.name): suspended since \(RFC3339.secondsString(from: suspension.suspendedAt)) by \(suspension.suspendedBy)"
            if let release = suspension.pinnedRelease { note += ", pinned to \(release)" }
            if let reason = suspension.reason { note += ": \(TextTable.singleLine(reason))" }
            notes.append(note + " (ferry resume \(service.name))")
        }
        if let quarantine = service.quarantine {
            notes.append("\(service.name): \(quarantine.commit.prefix(7)) quarantined since "
                + "\(RFC3339.secondsString(from: quarantine.quarantinedAt)): \(TextTable.singleLine(quarantine.reason))")
        }
        if let commit = service.awaitingApproval {
            notes.append("\(service.name): \(commit.short) awaits approval (ferry approve \(service.name) \(commit.short))")
        }
        if service.inConfig == false, let head {
            notes.append("\(service.name): not in the config at \(head.short)")
        }
        return notes
    }

    /// `rollback 2024-05-01T12:00:09Z: health check failed: HTTP 500`.
    private static func describe(_ result: LastResult) -> String {
        "\(result.kind) \(RFC3339.secondsString(from: result.time))" + (result.error.map { ": \(TextTable.singleLine($0))" } ?? "")
    }
}
