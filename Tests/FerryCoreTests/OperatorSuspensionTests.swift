import FerryAudit
import Foundation
import Testing
@testable import FerryCore

@Suite struct OperatorSuspensionTests {
    @Test func suspendRecordsWhoWhenAndWhyWithOneAuditRecord() async throws {
        let fixture = try OperatorFixture()
        try fixture.fetchIntoClone()
        let before = Date()
        let result = try await ServiceSuspension(context: fixture.context(actor: "alice")).suspend("api", reason: "INC-4711")
        #expect(!result.wasAlreadySuspended)
        #expect(result.warnings.isEmpty)

        let entry = try #require(try fixture.state.suspendedServices.load().services["api"])
        #expect(entry.suspendedBy == "alice")
        #expect(entry.reason == "INC-4711")
        #expect(entry.suspendedAt >= before.addingTimeInterval(-1) && entry.suspendedAt <= Date())
        let records = try fixture.auditRecords()
        #expect(records.map(\.kind) == [.suspended])
        #expect(records.first?.service == "api")
        #expect(records.first?.actor == "alice")
        #expect(records.first?.detail?["reason"] == "INC-4711")
        #expect(try AuditVerifier.verify(fixture.state.auditLogURL).isIntact)
    }

    @Test func suspendingTwiceChangesNothingAndSaysSinceWhen() async throws {
        let fixture = try OperatorFixture()
        try fixture.fetchIntoClone()
        let first = try await ServiceSuspension(context: fixture.context(actor: "alice")).suspend("api", reason: "first")
        let second = try await ServiceSuspension(context: fixture.context(actor: "bob")).suspend("api", reason: "second")
        #expect(second.wasAlreadySuspended)
        #expect(second.entry == first.entry)
        #expect(try fixture.state.suspendedServices.load().services["api"]?.suspendedBy == "alice")
        #expect(try fixture.auditRecords().count == 1)
    }

    @Test func resumeLiftsTheSuspensionAndAuditsWhoResumed() async throws {
        let fixture = try OperatorFixture()
        try fixture.fetchIntoClone()
        _ = try await ServiceSuspension(context: fixture.context(actor: "alice")).suspend("web", reason: nil)
        let result = try await ServiceSuspension(context: fixture.context(actor: "bob")).resume("web")
        #expect(result.lifted.suspendedBy == "alice")
        #expect(try fixture.state.suspendedServices.load().services.isEmpty)
        let records = try fixture.auditRecords()
        #expect(records.map(\.kind) == [.suspended, .resumed])
        #expect(records.map(\.actor) == ["alice", "bob"])
        #expect(records.last?.detail?["suspended_by"] == "alice")
    }

    @Test func resumingAServiceThatIsNotSuspendedFailsClearly() async throws {
        let fixture = try OperatorFixture()
        _ = try await ServiceSuspension(context: fixture.context()).suspend("api", reason: nil)
        let error = await operatorError { _ = try await ServiceSuspension(context: fixture.context()).resume("web") }
        #expect(error?.kind == .notSuspended)
        #expect(error?.message == "\"web\" is not suspended")
        #expect(error?.hint == "suspended: api")
    }

    @Test func anUnknownServiceIsRefusedNamingTheKnownOnes() async throws {
        let fixture = try OperatorFixture()
        try fixture.fetchIntoClone()
        let error = await operatorError { _ = try await ServiceSuspension(context: fixture.context()).suspend("wbe", reason: nil) }
        #expect(error?.kind == .unknownService)
        #expect(error?.message.contains("no service \"wbe\" in the config at origin/main") == true)
        #expect(error?.hint == "services: api, web")
        #expect(try fixture.state.suspendedServices.load().services.isEmpty)
        #expect(try fixture.auditRecords().isEmpty)
    }

    @Test func withoutACloneTheNameIsAcceptedWithAWarning() async throws {
        let fixture = try OperatorFixture()
        let result = try await ServiceSuspension(context: fixture.context()).suspend("anything", reason: nil)
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.contains("no clone of the config repository") == true)
        #expect(try fixture.state.suspendedServices.load().isSuspended("anything"))
    }

    @Test func aNameThatCannotBeAServiceIsRefusedEvenWithoutAClone() async throws {
        let fixture = try OperatorFixture()
        let error = await operatorError { _ = try await ServiceSuspension(context: fixture.context()).suspend("../Web", reason: nil) }
        #expect(error?.kind == .unknownService)
        #expect(!FileManager.default.fileExists(atPath: fixture.state.suspendedServices.url.path))
    }

    @Test func aRunningReconcilesLockMakesSuspendFailAtOnceNamingTheHolder() async throws {
        let fixture = try OperatorFixture()
        try fixture.state.prepare()
        let holder = LockHolder.current(command: "ferry reconcile --once")
        let lock = try await fixture.state.acquireLock(as: holder)
        defer { lock.release() }
        let error = await operatorError { _ = try await ServiceSuspension(context: fixture.context()).suspend("api", reason: nil) }
        #expect(error?.kind == .locked)
        #expect(error?.message.contains("ferry reconcile --once") == true)
        #expect(try fixture.state.suspendedServices.load().services.isEmpty)

        lock.release()
        let result = try await ServiceSuspension(context: fixture.context(lockWait: .seconds(5))).suspend("api", reason: nil)
        #expect(!result.wasAlreadySuspended)
    }
}
