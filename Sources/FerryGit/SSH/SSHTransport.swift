import CGit2

/// Ferry's transport for Git over SSH: libgit2's smart protocol over a command stream
/// opened by the operation's ``GitSSHConnector`` (see there for why).
///
/// Registered once, for every SSH scheme, when the library is initialised; libgit2
/// also picks it for scp-like URLs. It serves fetches only (`git-upload-pack`).
enum SSHTransport {
    /// The URL schemes libgit2 routes here (it appends `://`); scp-like URLs are
    /// matched as `ssh://`.
    static let schemes = ["ssh", "ssh+git", "git+ssh"]

    static func register() throws(GitError) {
        for scheme in schemes {
            try checked("git_transport_register") { git_transport_register(scheme, makeTransport, nil) }
        }
    }
}

/// libgit2's transport factory for the SSH schemes: the smart protocol, stateful
/// (one stream for the whole fetch), over ``makeSubtransport``.
private func makeTransport(
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_transport>?>?,
    _ owner: OpaquePointer?,
    _ param: UnsafeMutableRawPointer?
) -> Int32 {
    // git_transport_smart reads the definition only while it runs.
    var definition = git_smart_subtransport_definition(callback: makeSubtransport, rpc: 0, param: nil)
    return git_transport_smart(out, owner, &definition)
}

private func makeSubtransport(
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_smart_subtransport>?>?,
    _ owner: UnsafeMutablePointer<git_transport>?,
    _ param: UnsafeMutableRawPointer?
) -> Int32 {
    guard let out, let owner else { return -1 }
    let subtransport = UnsafeMutablePointer<ferry_git_ssh_subtransport>.allocate(capacity: 1)
    subtransport.initialize(to: ferry_git_ssh_subtransport())
    subtransport.pointee.owner = owner
    subtransport.pointee.parent.action = subtransportAction
    subtransport.pointee.parent.close = subtransportClose
    subtransport.pointee.parent.free = subtransportFree
    out.pointee = ferry_git_ssh_subtransport_parent(subtransport)
    return 0
}

/// Opens the stream for listing refs, and hands the same stream back for the fetch
/// that follows (the smart protocol expects one conversation).
private func subtransportAction(
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_smart_subtransport_stream>?>?,
    _ parent: UnsafeMutablePointer<git_smart_subtransport>?,
    _ url: UnsafePointer<CChar>?,
    _ service: git_smart_service_t
) -> Int32 {
    guard let out, let parent, let url, let subtransport = ferry_git_ssh_subtransport_from(parent) else {
        return -1
    }
    switch service {
    case GIT_SERVICE_UPLOADPACK_LS:
        break
    case GIT_SERVICE_UPLOADPACK:
        if let current = subtransport.pointee.current_stream {
            out.pointee = ferry_git_ssh_stream_parent(current)
            return 0
        }
    default:
        return reportToLibgit2(
            GitError(kind: .unsupported, message: "Ferry's SSH transport only fetches; it cannot push", function: "SSHTransport"),
            context: nil)
    }
    var context: TransferContext?
    do throws(GitError) {
        let operation = try transferContext(of: subtransport.pointee.owner)
        context = operation
        let state = try SSHStreamState.open(url: String(cString: url), context: operation)
        let stream = makeStream(state: state, parent: parent)
        subtransport.pointee.current_stream = stream
        out.pointee = ferry_git_ssh_stream_parent(stream)
        return 0
    } catch {
        return reportToLibgit2(error, context: context)
    }
}

/// The operation a transport serves, found through the payload of its connect options.
private func transferContext(of owner: UnsafeMutablePointer<git_transport>?) throws(GitError) -> TransferContext {
    var options = git_remote_connect_options()
    try checked("git_remote_connect_options_init") {
        git_remote_connect_options_init(&options, UInt32(GIT_REMOTE_CONNECT_OPTIONS_VERSION))
    }
    try checked("git_transport_remote_connect_options") { git_transport_remote_connect_options(&options, owner) }
    defer { git_remote_connect_options_dispose(&options) }
    guard let payload = options.callbacks.payload else {
        throw GitError(kind: .other, message: "the SSH transport was used outside a Ferry fetch", function: "SSHTransport")
    }
    return TransferContext.from(payload: payload)
}

private func makeStream(
    state: SSHStreamState, parent: UnsafeMutablePointer<git_smart_subtransport>
) -> UnsafeMutablePointer<ferry_git_ssh_stream> {
    let stream = UnsafeMutablePointer<ferry_git_ssh_stream>.allocate(capacity: 1)
    stream.initialize(to: ferry_git_ssh_stream())
    stream.pointee.parent.subtransport = parent
    stream.pointee.parent.read = streamRead
    stream.pointee.parent.write = streamWrite
    stream.pointee.parent.free = streamFree
    stream.pointee.state = Unmanaged.passRetained(state).toOpaque()
    return stream
}

private func subtransportClose(_ parent: UnsafeMutablePointer<git_smart_subtransport>?) -> Int32 {
    guard let parent, let subtransport = ferry_git_ssh_subtransport_from(parent) else { return 0 }
    if let current = subtransport.pointee.current_stream {
        streamFree(ferry_git_ssh_stream_parent(current))
    }
    return 0
}

private func subtransportFree(_ parent: UnsafeMutablePointer<git_smart_subtransport>?) {
    guard let parent, let subtransport = ferry_git_ssh_subtransport_from(parent) else { return }
    _ = subtransportClose(parent)
    subtransport.deinitialize(count: 1)
    subtransport.deallocate()
}

private func streamState(_ parent: UnsafeMutablePointer<git_smart_subtransport_stream>) -> SSHStreamState? {
    guard let stream = ferry_git_ssh_stream_from(parent), let state = stream.pointee.state else { return nil }
    return Unmanaged<SSHStreamState>.fromOpaque(state).takeUnretainedValue()
}

private func streamRead(
    _ parent: UnsafeMutablePointer<git_smart_subtransport_stream>?,
    _ buffer: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ bytesRead: UnsafeMutablePointer<Int>?
) -> Int32 {
    guard let parent, let buffer, let bytesRead, let state = streamState(parent) else { return -1 }
    do throws(GitError) {
        bytesRead.pointee = try state.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size))
        return 0
    } catch {
        return reportToLibgit2(error, context: state.context)
    }
}

private func streamWrite(
    _ parent: UnsafeMutablePointer<git_smart_subtransport_stream>?,
    _ buffer: UnsafePointer<CChar>?,
    _ length: Int
) -> Int32 {
    guard let parent, let buffer, let state = streamState(parent) else { return -1 }
    do throws(GitError) {
        try state.write(UnsafeRawBufferPointer(start: buffer, count: length))
        return 0
    } catch {
        return reportToLibgit2(error, context: state.context)
    }
}

private func streamFree(_ parent: UnsafeMutablePointer<git_smart_subtransport_stream>?) {
    guard let parent, let stream = ferry_git_ssh_stream_from(parent) else { return }
    if let state = stream.pointee.state {
        Unmanaged<SSHStreamState>.fromOpaque(state).takeRetainedValue().close()
    }
    if let subtransport = ferry_git_ssh_subtransport_from(parent.pointee.subtransport),
        subtransport.pointee.current_stream == stream
    {
        subtransport.pointee.current_stream = nil
    }
    stream.deinitialize(count: 1)
    stream.deallocate()
}

/// Records `error` for the operation (so the caller sees the connector's own error,
/// not libgit2's "early EOF") and sets it as libgit2's error; returns libgit2's
/// failure code.
private func reportToLibgit2(_ error: GitError, context: TransferContext?) -> Int32 {
    context?.record(error)
    git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), error.description)
    return -1
}
