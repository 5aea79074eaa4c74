import FerryAudit

extension HostOperationReport {
    /// The report with every host's message redacted: what `rollback`, `redeploy`, `shutdown`
    /// and `unlock` return, so their output never shows a secret a host printed.
    func redacted(by redactor: SecretRedactor) -> HostOperationReport {
        guard !redactor.isEmpty else { return self }
        var report = self
        report.results = results.map { result in
            var result = result
            result.message = redactor.redact(result.message)
            return result
        }
        return report
    }
}
