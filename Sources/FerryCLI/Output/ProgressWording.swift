import FerryCore

/// How progress is worded, shared by the live view and the plain lines.
enum ProgressWording {
    /// `web-1` or `web-1 api`.
    static func subject(host: String, service: String?) -> String {
        service.map { "\(host) \($0)" } ?? host
    }

    /// "done: deployed r-…", "failed: …": the last state of a service on a host.
    static func outcome(_ result: HostResult) -> String {
        let name = ReconcileReportJSON.outcomeName(result.outcome)
        return result.outcome.isFailure ? "failed (\(name)): \(result.outcome.description)" : "done: \(result.outcome.description)"
    }

    /// `[4s elapsed]`, `[1m05s elapsed]`.
    static func elapsed(_ duration: Duration) -> String {
        "[\(time(duration)) elapsed]"
    }

    /// `4s`, `1m05s`.
    static func time(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        return seconds < 60 ? "\(seconds)s" : "\(seconds / 60)m\(String(format: "%02d", seconds % 60))s"
    }

    /// The summary line at the end of a run.
    static func finished(_ report: RunReport, duration: Duration) -> String {
        let failed = report.results.filter { $0.outcome.isFailure }.count
        let changed = report.results.filter { $0.outcome.changedHost }.count
        let verdict = failed == 0 ? "converged" : "\(failed) failed"
        return "reconcile \(report.revision.short) \(verdict) in \(time(duration)): \(changed) of \(report.results.count) changed"
    }
}
