import Foundation

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0), for a
/// server a test starts on the loopback; the server's start is retried if another took it.
public enum LoopbackPort {
    /// A port of 127.0.0.1 free at the time of the call.
    public static func free() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw HarnessError("cannot bind a loopback port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts a server with `start(port)` until one listens on 127.0.0.1 (at most 5 ports),
    /// waiting (bounded) for it to accept connections.
    static func startListening(_ start: (Int) throws -> SpawnedProcess) throws -> (SpawnedProcess, Int) {
        var lastProblem = "no attempt"
        for _ in 0..<5 {
            let port = try free()
            let process = try start(port)
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if TCPProbe.accepts(address: "127.0.0.1", port: port) { return (process, port) }
                if let status = process.poll() {
                    lastProblem = "it exited \(status)"
                    break
                }
                usleep(10_000)
            }
            process.kill()
            if lastProblem == "no attempt" { lastProblem = "it did not listen within 10 s" }
        }
        throw HarnessError("the server did not start on a loopback port: \(lastProblem)")
    }
}
