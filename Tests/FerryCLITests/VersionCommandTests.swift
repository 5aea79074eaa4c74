import Testing
@testable import FerryCLI

@Suite struct VersionCommandTests {
    @Test func reportsTheLinkedLibraries() {
        let report = VersionReport.current
        #expect(report.libgit2.hasPrefix("1."))
        #expect(report.libssh2.hasPrefix("1."))
        #expect(report.line.contains("libgit2 \(report.libgit2)"))
    }
}
