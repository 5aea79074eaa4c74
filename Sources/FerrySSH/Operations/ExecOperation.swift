import CSSH2
import Foundation

/// Runs one command on a channel of its own: sends its stdin, collects stdout and
/// stderr together (neither can fill up and stall the other), then its exit status.
final class ExecOperation: ResultOperation<CommandResult>, @unchecked Sendable {
    private enum Phase {
        case opening, starting, streaming, closing, freeing
    }

    /// The calls of the streaming phase. One that left a packet half-sent is made
    /// again first next time: another call would make libssh2 drop its own packet.
    private enum StreamCall: CaseIterable {
        case writeInput, sendEOF, readOutput, readErrors
    }

    private let command: String
    private let input: Data
    private var inputOffset = 0
    private var phase = Phase.opening
    private var box: ChannelBox?
    private var stdout = Data()
    private var stderr = Data()
    private var outputEnded = false
    private var errorsEnded = false
    private var resumeFirst: StreamCall?
    private var exit: (status: Int32?, signal: String?) = (nil, nil)

    /// The most a command may print on stdout or on stderr (64 MiB each): a host's output is
    /// untrusted, and one that answers without end fails the command instead of filling memory.
    static let maximumOutput = 64 << 20

    init(command: String, input: Data?, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<CommandResult, SSHError>) -> Void) {
        self.command = command
        self.input = input ?? Data()
        super.init(activity: "running `\(command.count > 80 ? command.prefix(77) + "..." : command)`", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func advance(_ loop: SessionLoop) throws(SSHError) -> Progress {
        while true {
            switch phase {
            case .opening:
                let opened = try loop.openChannel(for: self, purpose: "run a command", function: "libssh2_channel_open_ex") {
                    ferry_ssh2_channel_open_session($0)
                }
                guard let opened else { return .waiting }
                box = opened
                phase = .starting
            case .starting:
                guard try start(loop) else { return .waiting }
                phase = .streaming
            case .streaming:
                guard try stream(loop) else { return .waiting }
                phase = .closing
            case .closing:
                guard let channel = box?.raw, try ChannelIO.waitClosed(channel, loop: loop) else { return .waiting }
                exit = ChannelIO.exit(of: channel, loop: loop)
                phase = .freeing
            case .freeing:
                guard let box, ChannelIO.free(box, loop: loop) else { return .waiting }
                return succeed(CommandResult(stdout: stdout, stderr: stderr, exitStatus: exit.status, exitSignal: exit.signal))
            }
        }
    }

    override func releaseResources(_ loop: SessionLoop) {
        if let box { loop.free(box) }
    }

    private func start(_ loop: SessionLoop) throws(SSHError) -> Bool {
        guard let channel = box?.raw else { return false }
        let length = UInt32(command.utf8.count)
        let code = command.withCString { ferry_ssh2_channel_exec(channel, $0, length) }
        guard try loop.transport.check(code, "libssh2_channel_process_startup", .channelFailure, "the host refused to run the command") else { return false }
        noteProgress()
        return true
    }

    /// Moves input and output until all output ended and all input is sent.
    private func stream(_ loop: SessionLoop) throws(SSHError) -> Bool {
        var calls = StreamCall.allCases
        if let first = resumeFirst {
            calls.removeAll { $0 == first }
            calls.insert(first, at: 0)
        }
        resumeFirst = nil
        for call in calls {
            let blocked = try perform(call, loop)
            if blocked, loop.transport.isBlockedOutbound {
                resumeFirst = call
                return false
            }
        }
        return outputEnded && errorsEnded && box?.eofSent == true
    }

    /// Makes `call` as far as it goes; true if it stopped because libssh2 would block.
    private func perform(_ call: StreamCall, _ loop: SessionLoop) throws(SSHError) -> Bool {
        guard let box, let channel = box.raw else { return false }
        switch call {
        case .writeInput:
            while inputOffset < input.count {
                guard let written = try ChannelIO.write(channel, input, from: inputOffset, loop: loop) else { return true }
                inputOffset += written
                noteProgress()
            }
            return false
        case .sendEOF:
            guard inputOffset == input.count, !box.eofSent else { return false }
            guard try ChannelIO.sendEOF(box, channel, loop: loop) else { return true }
            noteProgress()
            return false
        case .readOutput:
            return try drain(.stdout, channel, into: &stdout, ended: &outputEnded, loop)
        case .readErrors:
            return try drain(.stderr, channel, into: &stderr, ended: &errorsEnded, loop)
        }
    }

    private func drain(_ stream: ChannelIO.Stream, _ channel: OpaquePointer, into data: inout Data, ended: inout Bool, _ loop: SessionLoop) throws(SSHError) -> Bool {
        while !ended {
            switch try ChannelIO.read(channel, stream, into: loop.scratch, loop: loop) {
            case .bytes(let count):
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: loop.scratch[..<count]))
                guard data.count <= Self.maximumOutput else {
                    throw SSHError(kind: .protocolError, message: "`\(command.prefix(40))…` printed more than \(Self.maximumOutput >> 20) MiB on \(stream); the host's answer is not read further",
                                   endpoint: loop.endpoint.description)
                }
                noteProgress()
            case .end:
                ended = true
            case .wouldBlock:
                return true
            }
        }
        return false
    }
}
