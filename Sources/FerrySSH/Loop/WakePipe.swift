import Foundation

/// A pipe whose read end a loop polls, so other threads can interrupt its `poll`.
final class WakePipe: Sendable {
    /// Polled by the loop.
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    init() throws(SSHError) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw SSHError(kind: .protocolError, message: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        readDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Makes the read end readable (a full pipe is readable already).
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Empties the pipe after the loop woke up.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readDescriptor, &buffer, buffer.count) > 0 {}
    }
}

/// `poll(2)` retrying `EINTR`.
enum Poller {
    /// Waits until one of `descriptors` is ready or `timeout` milliseconds pass (-1: no limit).
    static func wait(_ descriptors: inout [pollfd], timeout: Int32) {
        while poll(&descriptors, nfds_t(descriptors.count), timeout) < 0, errno == EINTR {}
    }
}
