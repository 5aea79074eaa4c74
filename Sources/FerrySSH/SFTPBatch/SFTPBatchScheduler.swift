import Foundation

/// One file's part of a pipelined SFTP batch.
enum SFTPBatchJob: Sendable {
    /// Writes `data` to the new file `path` (created exclusively) with permission bits `mode`;
    /// `target` is where the file is going, for messages.
    case write(path: String, target: String, data: Data, mode: UInt32)
    /// Renames `source` over `target` (`posix-rename@openssh.com`).
    case rename(source: String, target: String)

    /// The path messages name.
    var target: String {
        switch self {
        case .write(_, let target, _, _), .rename(_, let target): target
        }
    }
}

/// The first request of a batch the server refused.
struct SFTPBatchFailure: Sendable, Equatable {
    /// What was being done, for messages: `writing`, `renaming into place`.
    let action: String
    /// The path the failed job was for (where the file was going).
    let target: String
    /// The server's status code (`SSH_FX_*`).
    let status: UInt32
    /// The server's own message.
    let message: String
    /// The size of the file being written (0 for a rename).
    let bytes: Int
}

/// The requests of a batch, in the order they may be sent, and what each reply means:
/// the protocol side of ``SFTPBatchOperation``, without the channel.
///
/// At most `window` jobs are in flight. A write job opens its file, and once the handle
/// arrives writes every chunk, sets the permission bits and closes it, all without
/// waiting; a rename job is one request. After the first refused request nothing new is
/// started and the files already open are closed, so the batch ends with no handle left.
struct SFTPBatchScheduler {
    /// The bytes of one `SSH_FXP_WRITE`: what every SFTP server accepts.
    static let chunkSize = 32 * 1024

    private enum Purpose {
        case open, write, setPermissions, close, rename
    }

    private struct JobState {
        var handle: [UInt8]?
        var queuedBytes = 0
        var closing = false
        var awaiting = 0
    }

    private let jobs: [SFTPBatchJob]
    private let window: Int
    private var states: [JobState]
    private var requests: [UInt32: (job: Int, purpose: Purpose)] = [:]
    private var nextRequestID: UInt32 = 1
    private var nextJob = 0
    private var active = 0
    /// Jobs whose file is open and whose writes are not all queued yet, oldest first.
    private var streaming: [Int] = []
    private var streamingStart = 0

    /// How many jobs finished without an error.
    private(set) var completed = 0
    /// The first refused request, if any.
    private(set) var failure: SFTPBatchFailure?

    init(jobs: [SFTPBatchJob], window: Int) {
        self.jobs = jobs
        self.window = max(1, window)
        states = Array(repeating: JobState(), count: jobs.count)
    }

    /// Whether every job ended: all done, or after a failure, all in flight answered.
    var isFinished: Bool {
        failure == nil ? completed == jobs.count : active == 0
    }

    /// Queues requests into `outbox` until it holds `limit` bytes or nothing more may be sent yet.
    mutating func fill(_ outbox: inout SFTPOutbox, limit: Int) {
        while failure == nil, active < window, nextJob < jobs.count, outbox.pendingCount < limit {
            start(nextJob, &outbox)
            nextJob += 1
            active += 1
        }
        while streamingStart < streaming.count, outbox.pendingCount < limit {
            let index = streaming[streamingStart]
            if queueNextWrite(of: index, &outbox) {
                streamingStart += 1
            }
        }
        if streamingStart == streaming.count {
            streaming.removeAll(keepingCapacity: true)
            streamingStart = 0
        }
    }

    /// Takes in a reply; `outbox` gets the requests it makes necessary (a close after a failure).
    mutating func handle(_ reply: SFTPReply, _ outbox: inout SFTPOutbox) throws(SFTPMalformedReply) {
        switch reply {
        case .handle(let id, let handle):
            let (index, purpose) = try request(id)
            guard purpose == .open else { throw SFTPMalformedReply(reason: "a handle in answer to a request that opens nothing") }
            states[index].handle = handle
            if failure == nil {
                streaming.append(index)
            } else {
                queueClose(of: index, &outbox)
            }
            finishIfDone(index)
        case .status(let id, let code, let message):
            let (index, purpose) = try request(id)
            if code != SFTPWire.Status.ok {
                fail(index, purpose, code: code, message: message, &outbox)
            } else if purpose == .open {
                throw SFTPMalformedReply(reason: "a status without a handle in answer to an open")
            }
            finishIfDone(index)
        case .version:
            throw SFTPMalformedReply(reason: "a second version packet")
        case .other(let type):
            throw SFTPMalformedReply(reason: "an unexpected packet of type \(type)")
        }
    }

    private mutating func request(_ id: UInt32) throws(SFTPMalformedReply) -> (Int, Purpose) {
        guard let entry = requests.removeValue(forKey: id) else { throw SFTPMalformedReply(reason: "an answer to an unknown request \(id)") }
        states[entry.job].awaiting -= 1
        return entry
    }

    private mutating func start(_ index: Int, _ outbox: inout SFTPOutbox) {
        switch jobs[index] {
        case .write(let path, _, _, let mode):
            outbox.open(id: track(index, .open), path: path, mode: mode)
        case .rename(let source, let target):
            outbox.posixRename(id: track(index, .rename), from: source, to: target)
        }
    }

    /// Queues the next write of job `index`, or its last requests; true when it has no more to send.
    private mutating func queueNextWrite(of index: Int, _ outbox: inout SFTPOutbox) -> Bool {
        guard case .write(_, _, let data, let mode) = jobs[index], let handle = states[index].handle, !states[index].closing else { return true }
        let offset = states[index].queuedBytes
        if offset < data.count {
            let end = min(data.count, offset + Self.chunkSize)
            outbox.write(id: track(index, .write), handle: handle, offset: UInt64(offset),
                         data: data[data.startIndex + offset..<data.startIndex + end])
            states[index].queuedBytes = end
            return false
        }
        outbox.setPermissions(id: track(index, .setPermissions), handle: handle, mode: mode)
        queueClose(of: index, &outbox)
        return true
    }

    private mutating func queueClose(of index: Int, _ outbox: inout SFTPOutbox) {
        guard let handle = states[index].handle, !states[index].closing else { return }
        states[index].closing = true
        outbox.close(id: track(index, .close), handle: handle)
    }

    private mutating func track(_ index: Int, _ purpose: Purpose) -> UInt32 {
        let id = nextRequestID
        nextRequestID &+= 1
        requests[id] = (index, purpose)
        states[index].awaiting += 1
        return id
    }

    /// Records the first failure, stops the batch and closes every open file.
    private mutating func fail(_ index: Int, _ purpose: Purpose, code: UInt32, message: String, _ outbox: inout SFTPOutbox) {
        if failure == nil {
            let action = switch purpose {
            case .open: "creating a temporary file for"
            case .write: "writing"
            case .setPermissions: "setting the permissions of"
            case .close: "closing"
            case .rename: "renaming into place"
            }
            let bytes = if case .write(_, _, let data, _) = jobs[index] { data.count } else { 0 }
            failure = SFTPBatchFailure(action: action, target: jobs[index].target, status: code, message: message, bytes: bytes)
            for open in streaming[streamingStart...] { queueClose(of: open, &outbox) }
            streaming.removeAll()
            streamingStart = 0
        }
        queueClose(of: index, &outbox)
    }

    /// Counts job `index` as ended once nothing of it is in flight and its file, if any, is closed.
    private mutating func finishIfDone(_ index: Int) {
        let state = states[index]
        guard state.awaiting == 0, state.handle == nil || state.closing else { return }
        active -= 1
        if failure == nil { completed += 1 }
    }
}
