import FerryAudit
import FerryConfig
import FerryGit
import Foundation
import Testing
@testable import FerryCore

/// What the reconcile and the host operations return is redacted: every text that may carry a
/// host's output (failure reasons, retries, breakers) and every error.
@Suite struct ReportRedactionTests {
    private let secret = "hunter2-s3cr3t"
    private var redactor: SecretRedactor { SecretRedactor(secrets: [secret]) }

    @Test func everyReasonAndHostEventOfARunReportIsRedacted() throws {
        let revision = try #require(CommitID(String(repeating: "a", count: 40)))
        let open = OpenCircuit(host: "h1", until: Date(timeIntervalSince1970: 0), lastError: "ssh: \(secret)")
        var report = RunReport(runID: "r", revision: revision, changedServices: ["web"], results: [
            HostResult(service: "web", host: "h0", outcome: .rolledBack(reason: "health check: token \(secret)")),
            HostResult(service: "web", host: "h1", outcome: .circuitOpen(open)),
            HostResult(service: "web", host: "h2", outcome: .failed(reason: Data(secret.utf8).base64EncodedString())),
            HostResult(service: "web", host: "h3", outcome: .driftReported([.manifestUnreadable(secret)])),
            HostResult(service: "web", host: "h4", outcome: .recovered(reason: secret, failed: true)),
        ])
        report.hostEvents = [
            .retried(host: "h1", RetryAttempt(step: "connect", retry: 1, maxRetries: 3, delay: .seconds(1),
                                              condition: .connectionRefused, error: "refused: \(secret)")),
            .circuitOpened(open, failures: 3),
        ]
        let redacted = report.redacted(by: redactor)
        #expect(!redacted.text.contains(secret) && redacted.text.contains("<redacted>"), "\(redacted.text)")
        for result in redacted.results {
            #expect(!result.outcome.description.contains(secret), "\(result.outcome)")
            #expect(!result.outcome.description.contains(Data(secret.utf8).base64EncodedString()), "\(result.outcome)")
        }
        for event in redacted.hostEvents {
            if case .retried(_, let attempt) = event { #expect(attempt.error == "refused: <redacted>") }
            if case .circuitOpened(let circuit, _) = event { #expect(circuit.lastError == "ssh: <redacted>") }
        }
        #expect(redacted.runID == report.runID && redacted.converged == report.converged)
    }

    @Test func hostOperationMessagesAreRedacted() {
        let report = HostOperationReport(operation: "rollback", service: "web", results: [
            HostOperationResult(host: "h0", succeeded: false, message: "hook said \(secret)"),
        ], suspended: true)
        #expect(report.redacted(by: redactor).text.contains("hook said <redacted>"))
    }

    @Test func errorsKeepTheirTypeAndLoseTheSecret() throws {
        let reconcile = try #require(redactor.redact(ReconcileError(.state, "cannot save: \(secret)", hint: secret)) as? ReconcileError)
        #expect(reconcile.kind == .state && reconcile.message == "cannot save: <redacted>" && reconcile.hint == "<redacted>")
        let operation = try #require(redactor.redact(HostOperationError(.suspended, "\(secret)")) as? HostOperationError)
        #expect(operation.kind == .suspended && operation.message == "<redacted>")
        struct Other: Error, CustomStringConvertible { var description: String }
        #expect("\(redactor.redact(Other(description: "other \(secret)")))" == "other <redacted>")
        #expect(redactor.redact(Other(description: "clean")) is Other)
    }
}
