import FerryAudit
import FerryGit
import Foundation

/// What Ferry deployed into one release of a service: Ferry's inventory on the host,
/// kept in `.ferry/manifests/<release>.json` and, for the release `current` points at,
/// in `.ferry/manifest.json`.
///
/// The JSON is stable: keys sorted, times in UTC to the millisecond, modes in octal,
/// so the same manifest always encodes to the same bytes.
public struct Manifest: Codable, Sendable, Equatable {
    /// The service.
    public var service: String
    /// The commit deployed (40 hex digits).
    public var revision: String
    /// The release directory holding it.
    public var release: ReleaseName
    /// Every file of the release by path relative to the release directory.
    public var files: [String: ManifestFile]
    /// When it was deployed (kept to the millisecond).
    public var deployedAt: Date
    /// The agent that deployed it.
    public var agent: String
    /// How the release runs (command, environment digests, unit, health check, hooks,
    /// timeouts); nil in a manifest written by Ferry 0.1.
    public var settings: ReleaseSettings?
    /// ``ReleaseSettings/digest`` of ``settings``.
    public var settingsDigest: String?

    /// A manifest.
    public init(service: String, revision: String, release: ReleaseName, files: [String: ManifestFile], deployedAt: Date, agent: String,
                settings: ReleaseSettings? = nil) {
        self.service = service
        self.revision = revision
        self.release = release
        self.files = files
        self.deployedAt = deployedAt
        self.agent = agent
        self.settings = settings
        self.settingsDigest = settings?.digest
    }

    /// The stable JSON encoding, ending with a newline.
    ///
    /// The file list, most of the bytes, comes from ``ManifestFilesJSON`` (encoded once per
    /// distinct list); the rest is encoded here with an empty list, which is then replaced.
    public func encoded() -> Data {
        let encoder = Self.encoder()
        var rest = self
        rest.files = [:]
        // Encoding strings, numbers and dictionaries of them cannot fail.
        var json = (try? encoder.encode(rest)) ?? Data()
        if !files.isEmpty {
            if let member = json.range(of: ManifestFilesJSON.emptyFilesMember) {
                let object = ManifestFilesJSON.shared.json(for: files, encoder: encoder)
                // Keep `\n  "files" : ` and replace the empty object after it.
                let objectStart = member.lowerBound + ManifestFilesJSON.emptyFilesMember.count - Data("{\n\n  }".utf8).count
                json.replaceSubrange(objectStart..<member.upperBound, with: object)
            } else {
                // An encoder that writes an empty object otherwise: the whole manifest, as it is.
                json = (try? encoder.encode(self)) ?? Data()
            }
        }
        json.append(UInt8(ascii: "\n"))
        return json
    }

    /// The encoder of ``encoded()``: sorted keys, pretty printed, slashes as they are, times in RFC 3339.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        return encoder
    }

    /// The manifest `data` holds; `.malformedManifest` when it is not one.
    ///
    /// A manifest is read back from a host, so it is untrusted: one naming a file outside its
    /// release (an absolute path, a `.` or `..` component, an empty one, a NUL byte) or a
    /// revision that is not a commit id is refused here, before any caller can hash, link, compare or report by its paths.
    public static func decode(_ data: Data) throws -> Manifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not an RFC 3339 time"))
            }
            return date
        }
        // The file list and settings, most of the work, are decoded once per distinct bytes (``ManifestPartsCache``).
        let cache = ManifestPartsCache.shared
        let parts = ManifestPartsCache.split(data)
        var manifest: Manifest
        var known: [String: ManifestFile]?
        do {
            manifest = try decoder.decode(Manifest.self, from: parts?.rest ?? data)
            if let bytes = parts?.files {
                known = cache.files(for: bytes)
                manifest.files = try known ?? decoder.decode([String: ManifestFile].self, from: bytes)
            }
            if let bytes = parts?.settings {
                if let settings = cache.settings(for: bytes) {
                    manifest.settings = settings
                } else {
                    let settings = try decoder.decode(ReleaseSettings.self, from: bytes)
                    cache.remember(settings, for: bytes)
                    manifest.settings = settings
                }
            }
        } catch {
            throw RemoteError(.malformedManifest, "the manifest is not one Ferry wrote (\(error)); the next deploy replaces it")
        }
        guard CommitID(manifest.revision) != nil else {
            throw RemoteError(.malformedManifest, "the manifest's revision \"\(manifest.revision.prefix(80))\" is not a commit id; it is not followed")
        }
        guard known == nil else { return manifest }
        for path in manifest.files.keys.sorted() where (try? ReleasePath.validated(path)) == nil {
            throw RemoteError(.malformedManifest, "the manifest names \"\(path.prefix(120))\", which is not a file inside the release; it is not followed")
        }
        if let bytes = parts?.files { cache.remember(manifest.files, for: bytes) }
        return manifest
    }

    private enum CodingKeys: String, CodingKey {
        case service, revision, release, files, agent, settings
        case deployedAt = "deployed_at"
        case settingsDigest = "settings_digest"
    }
}
