import FerryCore
import FerryGit
import Foundation

/// The parsers of what a host prints back (the probe, manifests, the release check, the lock
/// and journal files, process, hook and systemd output). A host is untrusted: whatever it
/// answers, a parser returns a value or throws; a path it names is inside the release and a
/// revision is a commit id, or the answer is refused.
extension FuzzTarget {
    /// `HostStateProbe.parse` for two services, one with the quick check; then every manifest
    /// it carries, as the observer reads it.
    public static let probe = FuzzTarget(name: "probe", dictionary: probeDictionary) { data throws(FuzzViolation) in
        guard let states = try? probeUnderTest.parse(data) else { return }
        for (service, state) in states {
            for path in (state.files ?? [:]).keys {
                try require(isInsideRelease(path), "the probe of \(service) accepted the path \(path.debugDescription)")
            }
            if let journal = state.journal {
                try require(CommitID(journal.revision) != nil, "a journal with revision \(journal.revision.debugDescription) accepted")
            }
            if let manifest = try? state.manifest() { try checkManifest(manifest) }
        }
    }

    /// `Manifest.decode` on the bytes of a manifest file.
    public static let manifest = FuzzTarget(name: "manifest", dictionary: manifestDictionary) { data throws(FuzzViolation) in
        if let manifest = try? Manifest.decode(data) { try checkManifest(manifest) }
    }

    /// `ReleaseVerifier.verdict`: an intact verdict names a manifest whose paths stay inside the release.
    public static let verifier = FuzzTarget(name: "verifier", dictionary: probeDictionary + ["FERRY-VERIFY-1\0", "end-release\0"]) { data throws(FuzzViolation) in
        guard case .intact(let manifest)? = try? verifierUnderTest.verdict(data) else { return }
        try checkManifest(manifest)
    }

    /// The lock script's answers and a lock file's holder.
    public static let lock = FuzzTarget(name: "lock", dictionary: lockDictionary) { data throws(FuzzViolation) in
        _ = try? RemoteLock.parseAcquisition(data)
        _ = try? RemoteLock.parseRelease(data)
        _ = RemoteLock.holder(ofLockFile: data)
    }

    /// The deploy journal a host keeps: a parsed one names a commit id.
    public static let journal = FuzzTarget(name: "journal", dictionary: journalDictionary) { data throws(FuzzViolation) in
        guard let journal = DeployJournal.parse(data) else { return }
        try require(CommitID(journal.revision) != nil, "a journal with revision \(journal.revision.debugDescription) accepted")
    }

    /// Process events and status, hook results, `systemctl is-active`, pruned releases.
    public static let process = FuzzTarget(name: "process", dictionary: processDictionary) { data throws(FuzzViolation) in
        _ = try? ProcessScripts.parseEvents(data)
        _ = try? ProcessScripts.parseStatus(data)
        _ = try? HookScript.parse(data)
        _ = SystemdScripts.parseIsActive(data)
        _ = ReleaseScripts.parsePruned(data)
    }

    /// Every host-output target.
    public static let hostOutput: [FuzzTarget] = [probe, manifest, verifier, lock, journal, process]

    /// Every target: the config decoder, then the host-output parsers.
    public static let all: [FuzzTarget] = [config] + hostOutput

    // MARK: - Rules

    /// Whether `path` is a file inside a release: relative, no empty, `.` or `..` component, no
    /// NUL; checked on its bytes, as the file system reads it.
    static func isInsideRelease(_ path: String) -> Bool {
        let bytes = Array(path.utf8), slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        guard let first = bytes.first, first != slash, !bytes.contains(0) else { return false }
        return !bytes.split(separator: slash, omittingEmptySubsequences: false)
            .contains { $0.isEmpty || $0.elementsEqual([dot]) || $0.elementsEqual([dot, dot]) }
    }

    private static func checkManifest(_ manifest: Manifest) throws(FuzzViolation) {
        for path in manifest.files.keys {
            try require(isInsideRelease(path), "a manifest naming \(path.debugDescription) was accepted")
        }
        try require(CommitID(manifest.revision) != nil, "a manifest with revision \(manifest.revision.debugDescription) was accepted")
    }

    // MARK: - Parsers under test

    private static let probeUnderTest: HostStateProbe = {
        // Constant, valid arguments: these cannot throw.
        let web = try! RemoteService(name: "web", remoteDirectory: "/srv/web", command: "python3 web/server.py")
        var api = try! RemoteService(name: "api", remoteDirectory: "/srv/api", command: "./api", manager: .systemd(.system))
        api.quickCheck = true
        return try! HostStateProbe(services: [web, api])
    }()

    private static let verifierUnderTest = ReleaseVerifier(layout: try! RemoteLayout(remoteDirectory: "/srv/web"))

    // MARK: - Dictionaries

    private static let probeDictionary = [
        "FERRY-PROBE-2\0", "FERRY-PROBE-END\0", "systemd\0", "manifests\0", "sizes\0", "walk\0", "records\0", "listing\0", "entries\0",
        "0\0", "0s\0", "0e\0", "0u\0", "0l\0", "0t\0", "0q\0", "1e\0", "1t\0", "f\0", "d\0", "l\0", "644\0", "755\0", "777\0",
        "service\0", "web\0", "api\0", "directory\0", "yes\0", "no\0",
        "releases/20240501T120003123Z-0123456789ab\0", "lock\0", "journal\0", "tainted\0",
        "release\0", "20240501T120003123Z-0123456789ab\0", "status\0", "running\0", "stopped\0", "failed\0", "systemd\0",
        "unknown\0", "tree\0", "e\0", "81a4\0", "a1ff\0", "12\0", "./web/server.py\0", "./../etc/passwd\0", ".//x\0", "./../\u{301}x\0", "\u{301}",
        "hashes\0", "links\0", "end\0", "end-service\0", String(repeating: "ab", count: 32) + "  ./web/server.py\0", "\0", "\n",
        "eyJmaWxlcyI6e319\0",
    ]

    private static let manifestDictionary = [
        "{", "}", "[", "]", ":", ",", "\"", "\"service\"", "\"revision\"", "\"release\"", "\"files\"", "\"deployed_at\"", "\"agent\"",
        "\"settings\"", "\"settings_digest\"", "\"sha256\"", "\"mode\"", "\"size\"", "\"target\"", "\"0644\"", "\"0755\"",
        "\"20240501T120003123Z-0123456789ab\"", "\"2024-05-01T12:00:03.123Z\"", "\"0123456789abcdef0123456789abcdef01234567\"",
        "\"../x\"", "\"/etc/passwd\"", "\"../\u{301}x\"", "\"/\u{301}etc\"", "\u{301}", "\"a//b\"", "\"./a\"", "\"\\u0000\"", "null", "true", "-1", "1e999", "18446744073709551616",
    ]

    private static let lockDictionary = [
        "outcome=", "acquired", "took-over", "held", "busy", "released", "not-held", "other", "broken", "expires=", "acquired=",
        "holder.token=", "holder.agent=", "holder.pid=", "holder.host=", "holder.started=", "holder.run=", "holder.expires=",
        "token=", "agent=", "pid=", "host=", "started=", "run=", "\n", "=", "-1", "9223372036854775807", "99999999999999999999",
    ]

    private static let journalDictionary = [
        "phase=", "from=", "to=", "revision=", "run=", "stopping", "switched", "rolling_back", "\n", "=",
        "20240501T120003123Z-0123456789ab", "0123456789abcdef0123456789abcdef01234567", "../..", "HEAD~1",
    ]

    private static let processDictionary = [
        "started ", "already-running ", "stopped ", "killed ", "still-running ", "not-running", "running ", "failed ", "status=",
        "active", "inactive", "activating", "deactivating", "failed", "pruned ", "20240501T120003123Z-0123456789ab", "\n", " ",
        "2147483647", "2147483648", "-1", "0",
    ]
}
