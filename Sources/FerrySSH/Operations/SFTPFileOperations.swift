import CSSH2
import Foundation

/// Reads a whole remote file, refusing one larger than a limit.
final class SFTPReadFileOperation: SFTPOperation<Data>, @unchecked Sendable {
    private enum Phase {
        case opening, reading, closing
    }

    private let maxBytes: Int
    private var phase = Phase.opening
    private var contents = Data()
    /// The error to report once the file is closed.
    private var pendingError: SSHError?

    init(path: String, maxBytes: Int, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Data, SSHError>) -> Void) {
        self.maxBytes = maxBytes
        super.init(path: path, activity: "reading \(path)", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func step(_ sftp: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        while true {
            switch phase {
            case .opening:
                let opened = libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), UInt(LIBSSH2_FXF_READ), 0, LIBSSH2_SFTP_OPENFILE)
                guard let opened = try checkHandle(opened, sftp, loop, "libssh2_sftp_open_ex", "opening \(path)") else { return .wouldBlock }
                handle = opened
                phase = .reading
                noteProgress()
            case .reading:
                guard let handle else { return .wouldBlock }
                let count = libssh2_sftp_read(handle, loop.scratch.baseAddress!.assumingMemoryBound(to: CChar.self), loop.scratch.count)
                if count > 0 {
                    contents.append(contentsOf: UnsafeRawBufferPointer(rebasing: loop.scratch[..<count]))
                    noteProgress()
                    if contents.count > maxBytes {
                        pendingError = SSHError(
                            kind: .fileTooLarge, message: "\(path) is larger than the \(maxBytes) bytes allowed",
                            endpoint: loop.endpoint.description
                        )
                        phase = .closing
                    }
                } else if count == 0 {
                    phase = .closing
                } else if try !check(Int32(count), sftp, loop, "libssh2_sftp_read", "reading \(path)") {
                    return .wouldBlock
                }
            case .closing:
                guard let handle, try check(libssh2_sftp_close_handle(handle), sftp, loop, "libssh2_sftp_close_handle", "closing \(path)") else {
                    return .wouldBlock
                }
                self.handle = nil
                if let pendingError { throw pendingError }
                return .done(contents)
            }
        }
    }
}

/// Where an upload's bytes come from: memory, or a local file read chunk by chunk.
enum UploadSource: @unchecked Sendable {
    case data(Data)
    /// An open local file, read from its current offset to its end, closed when done.
    case file(FileHandle, path: String)
}

/// Writes a new remote file: create (exclusively), write, fsync where the server
/// allows, set the exact permissions, close.
final class SFTPWriteFileOperation: SFTPOperation<Void>, @unchecked Sendable {
    private enum Phase {
        case opening, writing, syncing, settingPermissions, closing
    }

    private static let chunkSize = 1 << 20

    private let source: UploadSource
    private var phase = Phase.opening
    private var attributes = LIBSSH2_SFTP_ATTRIBUTES()
    /// The bytes being written and how many the server acknowledged.
    private var chunk = Data()
    private var chunkOffset = 0
    private var sourceOffset = 0
    private var sourceEnded = false

    init(path: String, source: UploadSource, mode: UInt32, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Void, SSHError>) -> Void) {
        self.source = source
        attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
        attributes.permissions = UInt(mode)
        super.init(path: path, activity: "writing \(path)", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    deinit {
        if case .file(let file, _) = source { try? file.close() }
    }

    override func step(_ sftp: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        while true {
            switch phase {
            case .opening:
                let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL)
                let opened = libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), flags, Int(attributes.permissions & 0o777), LIBSSH2_SFTP_OPENFILE)
                guard let opened = try checkHandle(opened, sftp, loop, "libssh2_sftp_open_ex", "creating \(path)") else { return .wouldBlock }
                handle = opened
                phase = .writing
                noteProgress()
            case .writing:
                guard try writeChunks(sftp, loop) else { return .wouldBlock }
                phase = .syncing
            case .syncing:
                guard let handle else { return .wouldBlock }
                let code = libssh2_sftp_fsync(handle)
                // Servers without fsync@openssh.com answer "unsupported": the rename still makes the file appear whole.
                if Self.serverStatus(code, sftp) != UInt(LIBSSH2_FX_OP_UNSUPPORTED) {
                    guard try check(code, sftp, loop, "libssh2_sftp_fsync", "syncing \(path) to disk") else { return .wouldBlock }
                }
                phase = .settingPermissions
            case .settingPermissions:
                guard let handle, try check(libssh2_sftp_fstat_ex(handle, &attributes, 1), sftp, loop, "libssh2_sftp_fstat_ex", "setting the permissions of \(path)") else {
                    return .wouldBlock
                }
                phase = .closing
            case .closing:
                guard let handle, try check(libssh2_sftp_close_handle(handle), sftp, loop, "libssh2_sftp_close_handle", "closing \(path)") else {
                    return .wouldBlock
                }
                self.handle = nil
                return .done(())
            }
        }
    }

    /// Writes until the source is exhausted (true) or libssh2 would block (false).
    ///
    /// libssh2 pipelines a write over several packets; after it would block, it must be
    /// called again with the same bytes from the first unacknowledged one.
    private func writeChunks(_ sftp: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Bool {
        guard let handle else { return false }
        while true {
            if chunkOffset == chunk.count {
                try loadNextChunk(loop)
                if chunk.isEmpty { return true }
            }
            let written = chunk.withUnsafeBytes { bytes in
                libssh2_sftp_write(handle, bytes.baseAddress!.assumingMemoryBound(to: CChar.self) + chunkOffset, chunk.count - chunkOffset)
            }
            if written < 0 {
                _ = try check(Int32(written), sftp, loop, "libssh2_sftp_write", "writing \(path)")
                return false
            }
            // Nothing acknowledged yet: the requests in flight will be answered.
            if written == 0 { return false }
            chunkOffset += written
            noteProgress()
        }
    }

    private func loadNextChunk(_ loop: SessionLoop) throws(SSHError) {
        chunkOffset = 0
        guard !sourceEnded else {
            chunk = Data()
            return
        }
        switch source {
        case .data(let data):
            let end = min(data.count, sourceOffset + Self.chunkSize)
            chunk = data.subdata(in: data.startIndex + sourceOffset..<data.startIndex + end)
            sourceOffset = end
        case .file(let file, let localPath):
            do {
                chunk = try file.read(upToCount: Self.chunkSize) ?? Data()
            } catch {
                throw SSHError(kind: .invalidArgument, message: "cannot read local file \(localPath): \(error.localizedDescription)", endpoint: loop.endpoint.description)
            }
        }
        sourceEnded = chunk.isEmpty
    }
}
