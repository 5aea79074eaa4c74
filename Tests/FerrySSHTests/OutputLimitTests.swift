import Foundation
import Testing
import _FerryTestHosts
@testable import FerrySSH

/// A host's output is untrusted: a command printing without end fails once it passes
/// ``ExecOperation/maximumOutput`` on either stream, instead of filling the agent's memory,
/// and the connection stays usable.
@Suite struct OutputLimitTests {
    @Test(arguments: ["exec yes ferry", "exec yes ferry >&2"])
    func endlessOutputFailsAtTheLimit(command: String) async throws {
        try await withFleet(hostCount: 1) { fleet in
            let connection = try await fleet.connect(fleet.hosts[0])
            let error = await sshError { _ = try await connection.run(command) }
            #expect(error?.kind == .protocolError)
            #expect(error?.message.contains("more than \(ExecOperation.maximumOutput >> 20) MiB") == true, "\(String(describing: error))")
            #expect(try await connection.runChecked("echo still here").stdoutText == "still here\n")
        }
    }
}
