import Foundation
import Testing
@testable import FerryCLI

/// `ferry validate` with `--allowed-signers`: the file is checked as a reconcile would read it.
@Suite struct ValidateAllowedSignersTests {
    private static let minimal = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/minimal").path

    private func report(allowedSigners text: String?) throws -> ValidationReport {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-allowed-signers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        if let text { try Data(text.utf8).write(to: file) }
        return try ValidateCommand.parse([Self.minimal, "--allowed-signers", file.path]).makeReport(environment: [:])
    }

    @Test func aMalformedLineIsAnErrorAtItsLine() throws {
        let report = try report(allowedSigners: "# ops\nalice@example.com ssh-ed25519 not-base64!\n")
        let diagnostic = try #require(report.agentDiagnostics.first)
        #expect(report.agentDiagnostics.count == 1)
        #expect(diagnostic.location.line == 2)
        #expect(diagnostic.message == "allowed_signers: the ssh-ed25519 key is not valid base64")
        #expect(!report.isValid)
    }

    @Test func aMissingFileIsAnError() throws {
        let report = try report(allowedSigners: nil)
        #expect(report.agentDiagnostics.map(\.kind) == [.unreadableFile])
        #expect(!report.isValid)
    }

    @Test func aCertificateAuthorityLineIsAWarning() throws {
        let report = try report(allowedSigners: "*@example.com cert-authority ssh-ed25519 AAAA\n")
        #expect(report.agentDiagnostics.map(\.severity) == [.warning])
        #expect(report.agentDiagnostics.first?.message.contains("cert-authority entries are skipped") == true)
        #expect(report.isValid)
    }
}
