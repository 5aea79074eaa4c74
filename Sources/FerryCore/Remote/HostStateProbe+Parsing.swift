import Foundation

extension HostStateProbe {
    /// The state of every probed service from the script's standard output.
    ///
    /// Anything a login script printed before the probe's header is ignored. Throws
    /// `.malformedOutput` when the output is cut short, out of order, or misses a service.
    public func parse(_ output: Data) throws -> [String: ActualServiceState] {
        let bytes = [UInt8](output)
        guard let start = NulFieldReader.offset(after: Self.header, in: bytes) else {
            throw RemoteError(.malformedOutput, "the probe's output has no header; the host did not run the probe (is /bin/sh a POSIX shell?)")
        }
        var reader = NulFieldReader(bytes, from: start)
        var states: [String: ActualServiceState] = [:]
        while !reader.skip(Self.trailer) {
            try reader.expect("service")
            let name = try reader.next()
            guard services.contains(where: { $0.name == name }), states[name] == nil else {
                throw RemoteError(.malformedOutput, "the probe reported service \"\(name)\", which was not probed or came twice")
            }
            states[name] = try Self.serviceState(&reader)
        }
        if let missing = services.first(where: { states[$0.name] == nil }) {
            throw RemoteError(.malformedOutput, "the probe's output has nothing for service \(missing.name)")
        }
        return states
    }

    private static func serviceState(_ reader: inout NulFieldReader) throws -> ActualServiceState {
        try reader.expect("directory")
        let directoryExists = try reader.next() == "yes"
        let currentTarget = reader.skip("current") ? try reader.next() : nil
        var manifestData: Data?
        if reader.skip("manifest") {
            let encoded = try reader.next()
            guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw RemoteError(.malformedOutput, "the probe sent a manifest that is not base64")
            }
            manifestData = data
        }
        let environmentFileSHA256 = reader.skip("envhash") ? try reader.next() : nil
        let unitSHA256 = reader.skip("unithash") ? try reader.next() : nil
        var lockHolder: RemoteLockHolder?
        if reader.skip("lock") {
            lockHolder = Data(base64Encoded: try reader.next(), options: .ignoreUnknownCharacters).flatMap(RemoteLock.holder(ofLockFile:))
        }
        var journal: DeployJournal?
        if reader.skip("journal") {
            journal = Data(base64Encoded: try reader.next(), options: .ignoreUnknownCharacters).flatMap(DeployJournal.parse)
        }
        var tainted: [ReleaseName] = []
        while reader.skip("tainted") {
            if let release = ReleaseName(rawValue: try reader.next()) { tainted.append(release) }
        }
        var releases: [ReleaseName] = []
        while reader.skip("release") {
            if let release = ReleaseName(rawValue: try reader.next()) { releases.append(release) }
        }
        try reader.expect("status")
        let status = try serviceStatus(kind: try reader.next(), detail: try reader.next())
        let quickCheckPassed = reader.skip("quick")
        let files = !quickCheckPassed && reader.skip("tree") ? try tree(&reader) : nil
        try reader.expect("end-service")
        return ActualServiceState(directoryExists: directoryExists, currentTarget: currentTarget, manifestData: manifestData,
                                  files: files, releases: releases.sorted(), status: status,
                                  environmentFileSHA256: environmentFileSHA256, unitSHA256: unitSHA256, taintedReleases: tainted.sorted(),
                                  journal: journal, quickCheckPassed: quickCheckPassed, lockHolder: lockHolder)
    }

    private static func serviceStatus(kind: String, detail: String) throws -> ServiceStatus {
        switch kind {
        case "running": return .running(pid: Int32(detail))
        case "stopped": return .stopped
        case "failed": return .failed
        case "systemd": return .systemd(detail)
        case "unknown": return .unknown(detail)
        default: throw RemoteError(.malformedOutput, "the probe reported the unknown status \"\(kind)\"")
        }
    }

    /// The `tree` section: `e MODE SIZE PATH` entries, then `hashes`, then `links`, then `end`.
    static func tree(_ reader: inout NulFieldReader) throws -> [String: ActualFile] {
        var entries: [String: (mode: UInt32, size: Int)] = [:]
        while reader.skip("e") {
            let rawMode = try reader.next(), rawSize = try reader.next()
            guard let mode = UInt32(rawMode, radix: 16), let size = Int(rawSize) else {
                throw RemoteError(.malformedOutput, "the probe reported a file with mode \"\(rawMode)\" and size \"\(rawSize)\"")
            }
            entries[try relativePath(try reader.nextBytes())] = (mode, size)
        }
        try reader.expect("hashes")
        var hashes: [String: String] = [:]
        while !reader.skip("links") {
            let line = try reader.nextBytes()
            // sha256sum -z prints `<64 hex><space><space or *><name>`.
            guard line.count > 66, let hash = String(bytes: line.prefix(64), encoding: .ascii) else {
                throw RemoteError(.malformedOutput, "the probe sent a malformed hash line")
            }
            hashes[try relativePath(line.dropFirst(66))] = hash
        }
        var targets: [String: String] = [:]
        while !reader.skip("end") {
            let path = try relativePath(try reader.nextBytes())
            targets[path] = try reader.next()
        }
        var files: [String: ActualFile] = [:]
        for (path, entry) in entries {
            let permissions = entry.mode & 0o7777
            if entry.mode & 0o170000 == 0o120000 {
                let target = targets[path] ?? ""
                files[path] = ActualFile(sha256: ManifestFile.sha256(Data(target.utf8)), mode: permissions,
                                         size: target.utf8.count, symlinkTarget: target)
            } else {
                files[path] = ActualFile(sha256: hashes[path], mode: permissions, size: entry.size, symlinkTarget: nil)
            }
        }
        return files
    }

    /// `./a/b` as `a/b`; a path that would leave the release (`./../x`, `.//x`) is malformed output.
    private static func relativePath(_ bytes: ArraySlice<UInt8>) throws -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        guard bytes.count > 2, bytes.prefix(2).elementsEqual("./".utf8) else {
            throw RemoteError(.malformedOutput, "the probe sent the path \"\(text)\", which does not start with ./")
        }
        guard let path = try? ReleasePath.validated(String(decoding: bytes.dropFirst(2), as: UTF8.self)) else {
            throw RemoteError(.malformedOutput, "the probe sent the path \"\(text)\", which is not inside the release")
        }
        return path
    }
}
