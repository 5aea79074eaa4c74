import CSSH2
import Foundation

/// Runs an ``SFTPBatchScheduler`` on an SFTP session of its own: a channel running the
/// host's `sftp` subsystem, spoken to directly, so that many requests are in flight at
/// once. (libssh2's SFTP functions keep the state of a request in the SFTP session, so
/// through them a connection waits for each answer before the next request.)
///
/// Delivers the first request the server refused, or nil when every job succeeded;
/// throws only when the session itself fails. The timeout bounds each job, not the batch:
/// it starts again whenever a job finishes.
final class SFTPBatchOperation: ResultOperation<SFTPBatchFailure?>, @unchecked Sendable {
    private enum Phase {
        case opening, starting, greeting, working
    }

    /// The calls of the exchange. One that left a packet half-sent is made again first
    /// next time: another call would make libssh2 drop its own packet.
    private enum StreamCall: CaseIterable {
        case sendRequests, readReplies, readErrors
    }

    /// How many request bytes may wait to be sent before no more are made.
    private static let outboxLimit = 512 * 1024

    private var scheduler: SFTPBatchScheduler
    private let renames: Bool
    private var phase = Phase.opening
    private var box: ChannelBox?
    private var outbox = SFTPOutbox()
    private var replies = SFTPReplyReader()
    private var resumeFirst: StreamCall?

    init(jobs: [SFTPBatchJob], window: Int, timeout: Duration, cancellation: CancellationFlag?,
         completion: @escaping @Sendable (Result<SFTPBatchFailure?, SSHError>) -> Void) {
        scheduler = SFTPBatchScheduler(jobs: jobs, window: window)
        renames = jobs.contains { if case .rename = $0 { true } else { false } }
        let activity = "\(renames ? "renaming" : "uploading") \(jobs.count) files, waiting for the next one to finish"
        super.init(activity: activity, timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func advance(_ loop: SessionLoop) throws(SSHError) -> Progress {
        while true {
            switch phase {
            case .opening:
                let opened = try loop.openChannel(for: self, purpose: "start an SFTP session", function: "libssh2_channel_open_ex") {
                    ferry_ssh2_channel_open_session($0)
                }
                guard let opened else { return .waiting }
                box = opened
                phase = .starting
            case .starting:
                guard let channel = box?.raw else { return .waiting }
                let code = ferry_ssh2_channel_subsystem(channel, "sftp", 4)
                guard try loop.transport.check(code, "libssh2_channel_process_startup", .sftpFailure,
                                               "the host refused the SFTP subsystem (is sftp enabled in the host's sshd_config?)") else {
                    return .waiting
                }
                outbox.initialize()
                noteProgress()
                phase = .greeting
            case .greeting, .working:
                guard try exchange(loop) else { return .waiting }
                if let box { loop.free(box) }
                box = nil
                return succeed(scheduler.failure)
            }
        }
    }

    override func releaseResources(_ loop: SessionLoop) {
        if let box { loop.free(box) }
    }

    /// Sends requests and reads replies until the batch is over (true) or nothing moves.
    private func exchange(_ loop: SessionLoop) throws(SSHError) -> Bool {
        // Bounded, so the other operations of the connection get their turn.
        for _ in 0..<64 {
            if phase == .working { scheduler.fill(&outbox, limit: Self.outboxLimit) }
            let before = progressCount
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
            if phase == .working, scheduler.isFinished { return true }
            if progressCount == before { return false }
        }
        return false
    }

    /// Makes `call` as far as it goes; true if it stopped because libssh2 would block.
    private func perform(_ call: StreamCall, _ loop: SessionLoop) throws(SSHError) -> Bool {
        guard let box, let channel = box.raw else { return false }
        switch call {
        case .sendRequests:
            while outbox.pendingCount > 0 {
                let count = outbox.withPendingBytes { bytes in
                    ferry_ssh2_channel_write(channel, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
                }
                if count < 0 {
                    _ = try loop.transport.check(Int32(count), "libssh2_channel_write_ex", .channelFailure, "sending SFTP requests failed")
                    return true
                }
                if count == 0 { return true }
                outbox.consume(count)
                noteProgress()
            }
            return false
        case .readReplies:
            while true {
                switch try ChannelIO.read(channel, .stdout, into: loop.scratch, loop: loop) {
                case .bytes(let count):
                    replies.append(UnsafeRawBufferPointer(rebasing: loop.scratch[..<count]))
                    noteProgress()
                    try takeReplies(loop)
                case .end:
                    let said = String(decoding: box.stderrTail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    throw SSHError(kind: .sftpFailure, message: "the host's SFTP server ended the session in the middle of a batch\(said.isEmpty ? "" : ": \(said)")",
                                   endpoint: loop.endpoint.description)
                case .wouldBlock:
                    return true
                }
            }
        case .readErrors:
            while true {
                switch try ChannelIO.read(channel, .stderr, into: loop.scratch, loop: loop) {
                case .bytes(let count):
                    box.keepStderr(UnsafeRawBufferPointer(rebasing: loop.scratch[..<count]))
                    noteProgress()
                case .end:
                    return false
                case .wouldBlock:
                    return true
                }
            }
        }
    }

    /// Hands every whole reply read so far to the scheduler (the first one to the greeting).
    private func takeReplies(_ loop: SessionLoop) throws(SSHError) {
        while let reply = try wellFormed(loop, { () throws(SFTPMalformedReply) in try replies.next() }) {
            guard phase == .working else {
                try greet(reply, loop)
                continue
            }
            let completed = scheduler.completed
            try wellFormed(loop) { () throws(SFTPMalformedReply) in try scheduler.handle(reply, &outbox) }
            if scheduler.completed != completed { renewDeadline() }
        }
    }

    /// `body`'s value, or a protocol error when the server broke SFTP.
    private func wellFormed<Value>(_ loop: SessionLoop, _ body: () throws(SFTPMalformedReply) -> Value) throws(SSHError) -> Value {
        do {
            return try body()
        } catch {
            throw SSHError(kind: .protocolError, message: "the host's SFTP server sent \(error.reason)", endpoint: loop.endpoint.description)
        }
    }

    /// Checks the server's answer to `SSH_FXP_INIT`.
    private func greet(_ reply: SFTPReply, _ loop: SessionLoop) throws(SSHError) {
        guard case .version(let version, let extensions) = reply, version >= 3 else {
            throw SSHError(kind: .protocolError, message: "the host's SFTP server did not start with SFTP version 3 or later", endpoint: loop.endpoint.description)
        }
        if renames, !extensions.contains(SFTPWire.posixRename) {
            throw SSHError(kind: .sftpFailure,
                           message: "the host's SFTP server lacks \(SFTPWire.posixRename), which Ferry needs to replace files atomically (OpenSSH has it since 4.9)",
                           endpoint: loop.endpoint.description)
        }
        phase = .working
    }
}
