import CSSH2
import Foundation
import Logging

/// Runs all libssh2 work of one connection on a thread of its own.
///
/// libssh2 sessions are not thread-safe, and in blocking mode their calls may wait
/// forever (1.10 has no read timeout). So the session is non-blocking, and one thread
/// drives every operation of the connection as a state machine: it advances each
/// operation until libssh2 would block, then `poll`s the socket (and a wake pipe
/// for new work) with a timeout set by the nearest deadline. Many operations can be
/// in flight on one connection (commands run concurrently), and nothing ever blocks
/// Swift's cooperative thread pool.
///
/// Two libssh2 rules shape the loop: a call that left a packet half-sent must be
/// repeated before any other call sends (otherwise libssh2 drops the other packet),
/// so that operation alone runs until the packet is out; and channel opening and
/// SFTP requests keep state in the session, so one operation at a time holds them.
final class SessionLoop: @unchecked Sendable {
    /// What a caller asked the loop thread to do.
    private struct Mailbox {
        var submitted: [LoopOperation] = []
        var closeRequested = false
        /// Set once the thread has torn the session down: later work fails at once.
        var finalError: SSHError?
        /// Set as soon as the loop finds the connection broken, before any operation hears of it,
        /// so a caller that got `.connectionClosed` never sees ``isOpen`` still true.
        var broken = false
    }

    /// Session state only one operation may use at a time.
    enum Token: Hashable {
        /// `libssh2_channel_open_ex`, `direct_tcpip_ex` and `sftp_init` keep their progress in the session.
        case channelOpen
        /// SFTP requests keep their progress in the SFTP session.
        case sftp
    }

    let endpoint: SSHEndpoint
    let timeouts: SSHTimeouts
    let logger: Logger
    private let wakePipe: WakePipe
    /// Entered when the loop thread starts, left when it has torn the session down.
    private let stopped = DispatchGroup()
    private let mailbox = Locked(Mailbox())

    // Everything below is touched only on the loop thread.
    private var transportStorage: Transport?
    private var operations: [LoopOperation] = []
    private var outboundOwner: LoopOperation?
    private var tokenHolders: [Token: ObjectIdentifier] = [:]
    private var channels: [ObjectIdentifier: ChannelBox] = [:]
    private var sftpSession: OpaquePointer?
    private var brokenBy: SSHError?
    private var lastHeard = ContinuousClock.now
    private var lastReceivedCount: UInt64 = 0
    /// libssh2 decides itself whether a keepalive is due (whole seconds, at least 2);
    /// this is when it said to ask again.
    private var nextKeepaliveCheck = ContinuousClock.now
    /// The buffer behind ``scratch`` while operations run.
    private var scratchStorage: UnsafeMutableRawBufferPointer?

    init(endpoint: SSHEndpoint, timeouts: SSHTimeouts, logger: Logger) throws(SSHError) {
        self.endpoint = endpoint
        self.timeouts = timeouts
        self.logger = logger
        self.wakePipe = try WakePipe()
    }

    deinit {
        freeScratch()
    }

    /// A buffer operations read into, reused by all of them (loop thread only, never kept
    /// across calls). It exists only while operations run: an idle connection (a host waiting
    /// between its probe and its deploy) or a closed one holds none.
    var scratch: UnsafeMutableRawBufferPointer {
        if let scratchStorage { return scratchStorage }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        scratchStorage = buffer
        return buffer
    }

    /// Whether the read buffer is allocated: read it on the loop thread, or once the loop stopped.
    var holdsReadBuffer: Bool { scratchStorage != nil }

    private func freeScratch() {
        scratchStorage?.deallocate()
        scratchStorage = nil
    }

    /// The session; only valid on the loop thread while the loop runs.
    var transport: Transport {
        guard let transportStorage else { preconditionFailure("SessionLoop used before it connected") }
        return transportStorage
    }

    // MARK: - Called from any thread

    /// Starts the loop thread: it runs `connect`, reports through `connected`, then serves operations.
    func start(connect: @escaping @Sendable (SocketWaiterFactory) throws(SSHError) -> Transport, connected: @escaping @Sendable (Result<Void, SSHError>) -> Void) {
        stopped.enter()
        let thread = Thread { [self] in
            defer { stopped.leave() }
            let factory = SocketWaiterFactory(wake: wakePipe, isInterrupted: { [self] in mailbox.withLock { $0.closeRequested } })
            do throws(SSHError) {
                transportStorage = try connect(factory)
            } catch {
                finish(with: error)
                connected(.failure(error))
                return
            }
            lastReceivedCount = transport.receivedBytes
            connected(.success(()))
            serve()
            tearDown()
        }
        thread.name = "ferry-ssh \(endpoint.hostAndPort)"
        thread.start()
    }

    /// Queues `operation`; it fails at once if the connection is closed.
    func submit(_ operation: LoopOperation) {
        let finalError = mailbox.withLock { mailbox -> SSHError? in
            if mailbox.finalError == nil, !mailbox.closeRequested { mailbox.submitted.append(operation) }
            return mailbox.finalError ?? (mailbox.closeRequested ? closedError() : nil)
        }
        if let finalError {
            operation.abort(finalError)
        } else {
            wakePipe.wake()
        }
    }

    /// Asks the loop to fail its operations, disconnect and free the session.
    func close() {
        mailbox.withLock { $0.closeRequested = true }
        wakePipe.wake()
    }

    /// Calls `done` once the loop thread has ended (at once if it never started).
    func whenStopped(_ done: @escaping @Sendable () -> Void) {
        stopped.notify(queue: .global(), execute: done)
    }

    /// Blocks the calling thread until the loop thread has ended, for at most `timeout`.
    func waitUntilStopped(timeout: Duration) {
        _ = stopped.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000)))
    }

    /// Wakes the loop so it notices a cancelled operation.
    func wake() {
        wakePipe.wake()
    }

    /// Whether the connection can still take operations.
    var isOpen: Bool {
        mailbox.withLock { $0.finalError == nil && !$0.closeRequested && !$0.broken }
    }

    private func closedError() -> SSHError {
        SSHError(kind: .connectionClosed, message: "the connection to \(endpoint.hostAndPort) was closed", endpoint: endpoint.description)
    }

    private func finish(with error: SSHError) {
        let leftover = mailbox.withLock { mailbox -> [LoopOperation] in
            mailbox.finalError = error
            defer { mailbox.submitted = [] }
            return mailbox.submitted
        }
        for operation in leftover { operation.abort(error) }
    }

    // MARK: - The loop

    private func serve() {
        while true {
            wakePipe.drain()
            let (incoming, closeRequested) = mailbox.withLock { mailbox in
                defer { mailbox.submitted = [] }
                return (mailbox.submitted, mailbox.closeRequested)
            }
            if closeRequested || brokenBy != nil { return }
            if operations.isEmpty, !incoming.isEmpty {
                // The host's silence is measured only while something waits for it.
                lastHeard = .now
            }
            operations.append(contentsOf: incoming)
            let moreToDo = advanceOperations()
            if brokenBy != nil { return }
            enforceDeadlines()
            if brokenBy != nil { return }
            sendKeepaliveIfQuiet()
            if brokenBy != nil { return }
            if operations.isEmpty { freeScratch() }
            waitForWork(immediately: moreToDo)
        }
    }

    /// Advances every operation until a pass moves nothing and reads nothing from the
    /// socket (data read by one operation may belong to another that already ran).
    /// Returns true when it stopped early with work possibly left.
    private func advanceOperations() -> Bool {
        for _ in 0..<32 {
            let receivedBefore = transport.receivedBytes
            var moved = false
            for operation in operations where isActive(operation) {
                if let owner = outboundOwner, owner !== operation { continue }
                if operation.isCancelled, outboundOwner !== operation, !holds(.channelOpen, operation) {
                    fail(operation, with: SSHError(kind: .cancelled, message: "cancelled while \(operation.activity)", endpoint: endpoint.description))
                    moved = true
                    continue
                }
                let progressBefore = operation.progressCount
                do {
                    if try operation.advance(self) == .finished {
                        remove(operation)
                        moved = true
                        continue
                    }
                } catch {
                    fail(operation, with: error)
                    moved = true
                    continue
                }
                if transport.isBlockedOutbound {
                    outboundOwner = operation
                } else if outboundOwner === operation {
                    outboundOwner = nil
                }
                if operation.progressCount != progressBefore { moved = true }
            }
            noteReceivedBytes()
            if brokenBy != nil || operations.isEmpty { return false }
            if !moved, transport.receivedBytes == receivedBefore { return false }
        }
        return true
    }

    private func isActive(_ operation: LoopOperation) -> Bool {
        operations.contains { $0 === operation }
    }

    private func noteReceivedBytes() {
        let received = transport.receivedBytes
        if received != lastReceivedCount {
            lastReceivedCount = received
            lastHeard = .now
        }
    }

    /// Fails operations past their deadline, and everything when the host fell silent.
    private func enforceDeadlines() {
        guard !operations.isEmpty else { return }
        if lastHeard + timeouts.read <= .now {
            breakConnection(SSHError(
                kind: .timeout,
                message: "the host sent nothing for \(timeouts.read.humanReadable), not even an answer to a keepalive",
                endpoint: endpoint.description
            ))
            return
        }
        for operation in operations where operation.deadline.hasPassed && isActive(operation) {
            let error = SSHError(
                kind: .timeout, message: "timed out \(operation.activity): not done within \(operation.totalTimeout.humanReadable)",
                endpoint: endpoint.description
            )
            if outboundOwner === operation || holds(.channelOpen, operation) {
                // Its libssh2 call cannot be abandoned halfway without corrupting the session.
                remove(operation)
                operation.abort(error)
                breakConnection(error)
                return
            }
            fail(operation, with: error)
        }
    }

    /// The keepalive interval: while operations wait, often enough that a live host
    /// answers well within the read timeout, so a silent command is not taken for a
    /// dead host (libssh2 sends at most one every 2 s, so read timeouts under about
    /// 6 s can expire during a long silent command).
    private var keepaliveInterval: Duration? {
        let configured = timeouts.keepaliveInterval > .zero ? timeouts.keepaliveInterval : nil
        guard !operations.isEmpty else { return configured }
        return max(.seconds(2), min(configured ?? timeouts.read, timeouts.read / 3))
    }

    /// Sends a keepalive when nothing was heard for an interval. Only then: the send
    /// buffer is empty, so the small packet cannot be left half-sent.
    private func sendKeepaliveIfQuiet() {
        guard let interval = keepaliveInterval, outboundOwner == nil else { return }
        let now = ContinuousClock.now
        guard lastHeard + interval <= now, nextKeepaliveCheck <= now else { return }
        let seconds = UInt32(clamping: max(2, interval.components.seconds))
        // Ask for a reply only while operations run: idle, nobody would read it.
        libssh2_keepalive_config(transport.session, operations.isEmpty ? 0 : 1, seconds)
        var secondsToNext: Int32 = 0
        let code = libssh2_keepalive_send(transport.session, &secondsToNext)
        nextKeepaliveCheck = now + .seconds(max(1, Int(secondsToNext)))
        if code != 0 {
            breakConnection(transport.error(.connectionClosed, "cannot send a keepalive", function: "libssh2_keepalive_send", code: code))
        } else if transport.isBlockedOutbound {
            breakConnection(SSHError(kind: .connectionClosed, message: "a keepalive could not be sent whole (the connection is congested or dead)", endpoint: endpoint.description))
        }
    }

    /// Polls the wake pipe, and the socket while operations wait on it, until the
    /// nearest deadline or keepalive time.
    private func waitForWork(immediately: Bool) {
        var descriptors = [pollfd(fd: wakePipe.readDescriptor, events: Int16(POLLIN), revents: 0)]
        var limit = Deadline.distantFuture
        if !operations.isEmpty {
            descriptors.append(pollfd(fd: transport.socket, events: transport.pollEvents, revents: 0))
            limit = min(limit, Deadline(instant: lastHeard + timeouts.read))
            for operation in operations { limit = min(limit, operation.deadline) }
        }
        if let interval = keepaliveInterval {
            limit = min(limit, Deadline(instant: max(lastHeard + interval, nextKeepaliveCheck)))
        }
        Poller.wait(&descriptors, timeout: immediately ? 0 : limit == .distantFuture ? -1 : limit.pollTimeout)
    }

    // MARK: - Failure and teardown

    private func remove(_ operation: LoopOperation) {
        operations.removeAll { $0 === operation }
        tokenHolders = tokenHolders.filter { $0.value != ObjectIdentifier(operation) }
        if outboundOwner === operation { outboundOwner = nil }
    }

    /// Fails one operation; a lost connection fails them all.
    private func fail(_ operation: LoopOperation, with error: SSHError) {
        let holdsOpen = holds(.channelOpen, operation)
        remove(operation)
        if error.kind == .connectionClosed || holdsOpen {
            breakConnection(error)
        }
        operation.fail(error, loop: self)
    }

    /// Marks the connection unusable: the loop stops, and every operation fails.
    private func breakConnection(_ error: SSHError) {
        guard brokenBy == nil else { return }
        mailbox.withLock { $0.broken = true }
        logger.debug("ssh connection failed", metadata: ["host": "\(endpoint.hostAndPort)", "error": "\(error)"])
        brokenBy = error
    }

    private func tearDown() {
        let error = brokenBy.map { cause in
            SSHError(kind: cause.kind == .timeout ? .timeout : .connectionClosed,
                     message: "the connection to \(endpoint.hostAndPort) failed: \(cause.message)", endpoint: endpoint.description,
                     function: cause.function, code: cause.code, libraryMessage: cause.libraryMessage)
        } ?? closedError()
        finish(with: error)
        let pending = operations
        operations = []
        tokenHolders = [:]
        for operation in pending { operation.abort(error) }
        if brokenBy == nil, outboundOwner == nil {
            _ = ferry_ssh2_session_disconnect(transport.session, "closed by Ferry")
        }
        // After this no libssh2 call can wait on the socket, so the frees below complete.
        shutdown(transport.socket, Int32(SHUT_RDWR))
        if let sftpSession { libssh2_sftp_shutdown(sftpSession) }
        sftpSession = nil
        for box in channels.values {
            if let raw = box.raw { libssh2_channel_free(raw) }
            box.raw = nil
        }
        channels = [:]
        transportStorage = nil
        freeScratch()
    }

    // MARK: - Services for operations (loop thread only)

    /// Takes `token` for `operation` if free (or already its own).
    func acquire(_ token: Token, for operation: LoopOperation) -> Bool {
        let identifier = ObjectIdentifier(operation)
        if let holder = tokenHolders[token] { return holder == identifier }
        tokenHolders[token] = identifier
        return true
    }

    /// Whether `operation` holds `token`.
    func holds(_ token: Token, _ operation: LoopOperation) -> Bool {
        tokenHolders[token] == ObjectIdentifier(operation)
    }

    /// Gives `token` back.
    func release(_ token: Token, for operation: LoopOperation) {
        if holds(token, operation) { tokenHolders[token] = nil }
    }

    /// Opens a channel with `open` (nil: would block, call again), one opener at a time.
    func openChannel(
        for operation: LoopOperation, purpose: String, function: String, _ open: (OpaquePointer) -> OpaquePointer?
    ) throws(SSHError) -> ChannelBox? {
        guard acquire(.channelOpen, for: operation) else { return nil }
        if let raw = open(transport.session) {
            release(.channelOpen, for: operation)
            operation.noteProgress()
            let box = ChannelBox(raw: raw)
            channels[ObjectIdentifier(box)] = box
            return box
        }
        if transport.lastCallWouldBlock { return nil }
        release(.channelOpen, for: operation)
        throw transport.error(.channelFailure, "the host refused a channel to \(purpose)", function: function)
    }

    /// Frees a channel now, or in the background if libssh2 must wait for the host
    /// (or another operation's packet is half-sent, so nothing else may send yet).
    func free(_ box: ChannelBox) {
        guard let raw = box.raw else { return }
        if outboundOwner != nil || libssh2_channel_free(raw) == LIBSSH2_ERROR_EAGAIN {
            adoptCleanup(ChannelReleaseOperation(box: box, timeout: timeouts.read))
        } else {
            forget(box)
        }
    }

    /// Drops a freed channel from the registry.
    func forget(_ box: ChannelBox) {
        box.raw = nil
        channels[ObjectIdentifier(box)] = nil
    }

    /// The SFTP session, started on first use by an operation holding `.sftp` (nil: would block).
    func sftp(for operation: LoopOperation) throws(SSHError) -> OpaquePointer? {
        if let sftpSession { return sftpSession }
        guard acquire(.channelOpen, for: operation) else { return nil }
        if let started = libssh2_sftp_init(transport.session) {
            release(.channelOpen, for: operation)
            operation.noteProgress()
            sftpSession = started
            return started
        }
        if transport.lastCallWouldBlock { return nil }
        release(.channelOpen, for: operation)
        throw transport.error(.sftpFailure, "cannot start the SFTP subsystem (is sftp enabled in the host's sshd_config?)", function: "libssh2_sftp_init")
    }

    /// Shuts the SFTP session down after a request was abandoned halfway; the next
    /// SFTP operation starts a fresh one.
    func resetSFTP() {
        guard let session = sftpSession else { return }
        sftpSession = nil
        if outboundOwner != nil || libssh2_sftp_shutdown(session) == LIBSSH2_ERROR_EAGAIN {
            adoptCleanup(SFTPShutdownOperation(session: session, timeout: timeouts.read))
        }
    }

    /// Runs a cleanup that could not finish at once; if its first call left a packet
    /// half-sent, it is the one to complete it.
    private func adoptCleanup(_ cleanup: LoopOperation) {
        operations.append(cleanup)
        if outboundOwner == nil, transport.isBlockedOutbound { outboundOwner = cleanup }
    }
}

/// Lets the connect phase wait on the socket and notice `close()`.
struct SocketWaiterFactory: Sendable {
    let wake: WakePipe
    let isInterrupted: @Sendable () -> Bool

    func waiter(for transport: Transport) -> SocketWaiter {
        SocketWaiter(transport: transport, wake: wake, isInterrupted: isInterrupted)
    }
}
