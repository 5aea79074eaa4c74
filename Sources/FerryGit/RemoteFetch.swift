import CGit2
import Foundation

/// The one fetch Ferry does: every branch into `refs/remotes/origin/*` and every tag,
/// forced (a force-pushed branch or a moved tag is followed), pruning what the remote deleted;
/// then `origin/HEAD` is pointed at the remote's default branch.
enum RemoteFetch {
    /// The remote every Ferry clone fetches from.
    static let remoteName = "origin"
    static let refspecs = ["+refs/heads/*:refs/remotes/\(remoteName)/*", "+refs/tags/*:refs/tags/*"]

    /// Fetches `remote` (a `git_remote*`) on the calling thread, which must not be a
    /// cooperative-pool thread.
    static func run(remote: OpaquePointer, context: TransferContext) throws(GitError) {
        var options = git_fetch_options()
        try checked("git_fetch_options_init") { git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)) }
        options.callbacks.payload = context.payload
        options.callbacks.transfer_progress = { _, payload in continueUnlessCancelled(payload) }
        options.callbacks.sideband_progress = { text, length, payload in
            if let text, let payload, length > 0 {
                let bytes = UnsafeRawBufferPointer(start: text, count: Int(length))
                TransferContext.from(payload: payload).noteRemoteMessage(String(decoding: bytes, as: UTF8.self))
            }
            return continueUnlessCancelled(payload)
        }
        options.callbacks.credentials = { out, _, _, allowedTypes, payload in
            guard let out, let payload else { return -1 }
            return HTTPAuthentication.answer(out, allowedTypes: allowedTypes, context: TransferContext.from(payload: payload))
        }
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        let specs = CStringArray(refspecs)
        do throws(GitError) {
            let url = git_remote_url(remote).map { String(cString: $0) } ?? ""
            try withExtendedLifetime(context) { () throws(GitError) in
                try TLSTrust.with(context.certificateAuthorities, url: url) { () throws(GitError) in
                    _ = try checked("git_remote_fetch") {
                        specs.withStrArray { git_remote_fetch(remote, $0, &options, "ferry: fetch") }
                    }
                }
                try RemoteHead.record(remote: remote)
            }
        } catch {
            let url = git_remote_url(remote).map { String(cString: $0) } ?? ""
            throw HTTPAuthentication.explained(context.error(from: error), url: url)
        }
    }
}

/// The answer of a progress callback: go on, or stop a cancelled operation.
private func continueUnlessCancelled(_ payload: UnsafeMutableRawPointer?) -> Int32 {
    guard let payload else { return 0 }
    let context = TransferContext.from(payload: payload)
    guard context.isCancelled else { return 0 }
    context.record(TransferContext.cancellation)
    return Int32(GIT_EUSER.rawValue)
}

/// Strings copied into C memory as a `git_strarray`, freed with the array.
final class CStringArray {
    private let strings: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ values: [String]) {
        count = values.count
        strings = .allocate(capacity: max(values.count, 1))
        for (index, value) in values.enumerated() {
            strings[index] = strdup(value)
        }
    }

    deinit {
        for index in 0..<count { free(strings[index]) }
        strings.deallocate()
    }

    /// Calls `body` with a `git_strarray` over the strings, valid during the call.
    func withStrArray<T>(_ body: (UnsafePointer<git_strarray>) -> T) -> T {
        var array = git_strarray(strings: strings, count: count)
        return withExtendedLifetime(self) { body(&array) }
    }
}
