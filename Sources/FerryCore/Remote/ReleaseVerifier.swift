import FerrySSH
import Foundation

/// Checks, before an existing release goes live again, that it still holds what its manifest
/// says: every file's SHA-256, mode and symbolic link target, no extra file, and the stored
/// environment file's digest. A release changed on the host is never switched to.
public struct ReleaseVerifier: Sendable {
    /// The service's layout.
    public let layout: RemoteLayout

    /// A verifier for the service at `layout`.
    public init(layout: RemoteLayout) {
        self.layout = layout
    }

    /// What one release turned out to be.
    public enum Verdict: Sendable, Equatable {
        /// It holds what its manifest says.
        case intact(Manifest)
        /// It does not; each reason names one difference (a path, never a value).
        case changed([String])
    }

    /// Reads `release`'s manifest, the hashes of its files and of its stored environment,
    /// as NUL-terminated fields (the host probe's format); read with ``verdict(_:)``.
    public func script(for release: ReleaseName) -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + HostStateProbe.functions + #"""
        d=\#(ShellQuote.quote(layout.root))
        r=\#(release.rawValue)
        printf '\n\#(Self.header)\0'
        if [ -f "$d/.ferry/manifests/$r.json" ]; then
          printf 'manifest\0'
          base64 < "$d/.ferry/manifests/$r.json"
          printf '\0'
        fi
        if [ -f "$d/.ferry/settings/$r/env" ]; then
          h=$(sha256sum < "$d/.ferry/settings/$r/env") && ferry_field envhash "${h%% *}"
        fi
        ferry_tree "$d/releases/$r"
        ferry_field end-release

        """#)
    }

    static let header = "FERRY-VERIFY-1"

    /// The verdict on the script's output.
    public func verdict(_ output: Data) throws -> Verdict {
        let bytes = [UInt8](output)
        guard let start = NulFieldReader.offset(after: Self.header, in: bytes) else {
            throw RemoteError(.malformedOutput, "the release check printed no header; the host did not run it")
        }
        var reader = NulFieldReader(bytes, from: start)
        var manifest: Manifest?
        if reader.skip("manifest") {
            guard let data = Data(base64Encoded: try reader.next(), options: .ignoreUnknownCharacters) else {
                throw RemoteError(.malformedOutput, "the release check sent a manifest that is not base64")
            }
            manifest = try? Manifest.decode(data)
        }
        let environmentSHA256 = reader.skip("envhash") ? try reader.next() : nil
        let files = reader.skip("tree") ? try HostStateProbe.tree(&reader) : nil
        try reader.expect("end-release")
        guard let manifest else { return .changed(["no readable manifest"]) }
        guard let files else { return .changed(["the release directory is missing"]) }
        var reasons: [String] = []
        for (path, expected) in manifest.files.sorted(by: { $0.key < $1.key }) {
            guard let actual = files[path] else {
                reasons.append("missing \(path)")
                continue
            }
            let actualHash = actual.sha256 ?? ManifestFile(symlinkTo: actual.symlinkTarget ?? "").sha256
            if actualHash != expected.sha256 || actual.symlinkTarget != expected.symlinkTarget {
                reasons.append("modified \(path)")
            } else if expected.symlinkTarget == nil, actual.mode != expected.mode {
                reasons.append("mode of \(path)")
            }
        }
        for path in files.keys.sorted() where manifest.files[path] == nil {
            reasons.append("extra \(path)")
        }
        if let settings = manifest.settings, settings.environmentFileSHA256 != environmentSHA256 {
            reasons.append("environment file edited")
        }
        return reasons.isEmpty ? .intact(manifest) : .changed(reasons)
    }
}
