import CSSH2
import Foundation

/// Opens a channel: a command (`exec`) or a direct-tcpip tunnel.
final class OpenChannelOperation: ResultOperation<ChannelBox>, @unchecked Sendable {
    /// What the channel is for.
    enum Target {
        /// A session channel running `command`.
        case command(String)
        /// A TCP connection the host makes to `host:port` (from its own point of view).
        case tunnel(host: String, port: Int)
    }

    private let target: Target
    private var box: ChannelBox?

    init(target: Target, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<ChannelBox, SSHError>) -> Void) {
        self.target = target
        let activity = switch target {
        case .command(let command): "starting `\(command)`"
        case .tunnel(let host, let port): "opening a tunnel to \(host):\(port)"
        }
        super.init(activity: activity, timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func advance(_ loop: SessionLoop) throws(SSHError) -> Progress {
        if box == nil {
            box = try open(loop)
            guard box != nil else { return .waiting }
        }
        guard let box, let channel = box.raw else { return .waiting }
        if case .command(let command) = target {
            let length = UInt32(command.utf8.count)
            let code = command.withCString { ferry_ssh2_channel_exec(channel, $0, length) }
            guard try loop.transport.check(code, "libssh2_channel_process_startup", .channelFailure, "the host refused to run `\(command)`") else {
                return .waiting
            }
        }
        return succeed(box)
    }

    override func releaseResources(_ loop: SessionLoop) {
        if let box { loop.free(box) }
    }

    private func open(_ loop: SessionLoop) throws(SSHError) -> ChannelBox? {
        switch target {
        case .command:
            return try loop.openChannel(for: self, purpose: "run a command", function: "libssh2_channel_open_ex") {
                ferry_ssh2_channel_open_session($0)
            }
        case .tunnel(let host, let port):
            return try loop.openChannel(for: self, purpose: "\(host):\(port) (is anything listening there on the host? is AllowTcpForwarding on?)", function: "libssh2_channel_direct_tcpip_ex") {
                libssh2_channel_direct_tcpip_ex($0, host, Int32(port), "127.0.0.1", 0)
            }
        }
    }
}

/// An operation on a channel that a tunnel or command stream owns. A failure halfway
/// leaves the channel unusable: later operations on it fail with the same error.
class ChannelOperation<Value: Sendable>: ResultOperation<Value>, @unchecked Sendable {
    /// What one step gave.
    enum Step {
        case wouldBlock
        case done(Value)
    }

    let box: ChannelBox

    init(box: ChannelBox, activity: String, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Value, SSHError>) -> Void) {
        self.box = box
        super.init(activity: activity, timeout: timeout, cancellation: cancellation, completion: completion)
    }

    final override func advance(_ loop: SessionLoop) throws(SSHError) -> Progress {
        if let failure = box.failure { throw failure }
        guard let channel = box.raw else {
            throw SSHError(kind: .connectionClosed, message: "the channel is already closed", endpoint: loop.endpoint.description)
        }
        guard case .done(let value) = try step(channel, loop) else { return .waiting }
        return succeed(value)
    }

    /// Advances the operation; subclasses override.
    func step(_ channel: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        preconditionFailure("\(type(of: self)) must override step(_:_:)")
    }

    override func releaseResources(_ loop: SessionLoop) {
        if box.failure == nil {
            box.failure = SSHError(kind: .channelFailure, message: "the channel is unusable after an earlier operation on it failed", endpoint: loop.endpoint.description)
        }
    }
}

/// Reads at least one byte of stdout (empty at the end), keeping stderr's tail aside.
final class ChannelReadOperation: ChannelOperation<Data>, @unchecked Sendable {
    private let maxBytes: Int

    init(box: ChannelBox, maxBytes: Int, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Data, SSHError>) -> Void) {
        self.maxBytes = maxBytes
        super.init(box: box, activity: "reading from the remote side", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func step(_ channel: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        // Drain stderr first so it can never fill the channel's window and stall stdout.
        readErrors: while true {
            switch try ChannelIO.read(channel, .stderr, into: loop.scratch, loop: loop) {
            case .bytes(let count):
                box.keepStderr(UnsafeRawBufferPointer(rebasing: loop.scratch[..<count]))
                noteProgress()
            case .end, .wouldBlock:
                break readErrors
            }
        }
        let buffer = UnsafeMutableRawBufferPointer(rebasing: loop.scratch[..<min(maxBytes, loop.scratch.count)])
        switch try ChannelIO.read(channel, .stdout, into: buffer, loop: loop) {
        case .bytes(let count):
            noteProgress()
            return .done(Data(UnsafeRawBufferPointer(rebasing: buffer[..<count])))
        case .end:
            return .done(Data())
        case .wouldBlock:
            return .wouldBlock
        }
    }
}

/// Writes all of some bytes to the channel.
final class ChannelWriteOperation: ChannelOperation<Void>, @unchecked Sendable {
    private let bytes: Data
    private var offset = 0

    init(box: ChannelBox, bytes: Data, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Void, SSHError>) -> Void) {
        self.bytes = bytes
        super.init(box: box, activity: "writing to the remote side", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func step(_ channel: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        if box.eofSent {
            throw SSHError(kind: .invalidArgument, message: "cannot write after sending EOF", endpoint: loop.endpoint.description)
        }
        while offset < bytes.count {
            guard let written = try ChannelIO.write(channel, bytes, from: offset, loop: loop) else { return .wouldBlock }
            offset += written
            noteProgress()
        }
        return .done(())
    }
}

/// Tells the remote side there is no more input.
final class ChannelEOFOperation: ChannelOperation<Void>, @unchecked Sendable {
    init(box: ChannelBox, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Void, SSHError>) -> Void) {
        super.init(box: box, activity: "sending EOF", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func step(_ channel: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        try ChannelIO.sendEOF(box, channel, loop: loop) ? .done(()) : .wouldBlock
    }
}

/// How a command run through a stream ended.
struct ChannelExit: Sendable {
    var status: Int32?
    var signal: String?
    var stderrTail: Data
}

/// Ends a command channel: EOF, drain what is left, wait for the close, read the exit status, free.
final class ChannelFinishOperation: ChannelOperation<ChannelExit>, @unchecked Sendable {
    private enum Phase {
        case sendingEOF, draining, waitingForClose, freeing
    }

    private var phase = Phase.sendingEOF
    private var exit: (status: Int32?, signal: String?) = (nil, nil)

    init(box: ChannelBox, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<ChannelExit, SSHError>) -> Void) {
        super.init(box: box, activity: "waiting for the remote command to end", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func step(_ channel: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        while true {
            switch phase {
            case .sendingEOF:
                guard try ChannelIO.sendEOF(box, channel, loop: loop) else { return .wouldBlock }
                phase = .draining
            case .draining:
                guard try drained(channel, loop) else { return .wouldBlock }
                phase = .waitingForClose
            case .waitingForClose:
                guard try ChannelIO.waitClosed(channel, loop: loop) else { return .wouldBlock }
                exit = ChannelIO.exit(of: channel, loop: loop)
                phase = .freeing
            case .freeing:
                guard ChannelIO.free(box, loop: loop) else { return .wouldBlock }
                return .done(ChannelExit(status: exit.status, signal: exit.signal, stderrTail: box.stderrTail))
            }
        }
    }

    /// Reads (and drops) the rest of stdout, keeping stderr's tail; true at the end of both.
    private func drained(_ channel: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Bool {
        var ended = 0
        for stream in [ChannelIO.Stream.stderr, .stdout] {
            reading: while true {
                switch try ChannelIO.read(channel, stream, into: loop.scratch, loop: loop) {
                case .bytes(let count):
                    if stream == .stderr { box.keepStderr(UnsafeRawBufferPointer(rebasing: loop.scratch[..<count])) }
                    noteProgress()
                case .end:
                    ended += 1
                    break reading
                case .wouldBlock:
                    break reading
                }
            }
        }
        return ended == 2
    }
}

/// Frees a channel its owner is done with, whatever state the channel is in.
final class ChannelCloseOperation: ResultOperation<Void>, @unchecked Sendable {
    private let box: ChannelBox

    init(box: ChannelBox, timeout: Duration, completion: @escaping @Sendable (Result<Void, SSHError>) -> Void) {
        self.box = box
        super.init(activity: "closing a channel", timeout: timeout, cancellation: nil, completion: completion)
    }

    override func advance(_ loop: SessionLoop) throws(SSHError) -> Progress {
        ChannelIO.free(box, loop: loop) ? succeed(()) : .waiting
    }

    override func releaseResources(_ loop: SessionLoop) {
        loop.free(box)
    }
}
