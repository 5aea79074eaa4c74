import FerrySSH
import Foundation

extension HostStateProbe {
    /// What the probe's output says, and the regular files of `mtime` services whose
    /// ``QuickCheck`` listing entry changed, which ``followUp`` hashes in a second round trip.
    public struct Reading: Sendable {
        /// The state of every probed service, by name; a file still to hash has no SHA-256.
        public private(set) var states: [String: ActualServiceState]
        /// The files still to hash.
        let pending: [Pending]

        /// The regular files of one service still to hash.
        struct Pending: Sendable {
            /// The service's name.
            let service: String
            /// The release the probe listed (its directory, or `current`).
            let directory: String
            /// Their paths in the release; nil for every regular file of the release.
            let paths: [String]?
        }

        /// The follow-up's first field, after anything a login script printed.
        static let header = "FERRY-HASHES-1"
        /// Its last field.
        static let trailer = "FERRY-HASHES-END"
        /// Above this many bytes of paths, the follow-up hashes the whole release (the paths travel in the script).
        static let pathBytesLimit = 64 * 1024

        /// The script hashing what ``states`` is missing, nil when nothing is: for each service,
        /// its position as a field, then `HEX  ./PATH` for each file it could hash (`sha256sum -z`).
        public var followUp: RemoteScript? {
            guard !pending.isEmpty else { return nil }
            var text = RemoteShell.prologue + "printf '\\n\(Self.header)\\0'\n"
            for (position, service) in pending.enumerated() {
                text += "printf '\(position)\\0'\nif cd -P -- \(ShellQuote.quote(service.directory + "/")) 2>/dev/null; then "
                if let paths = service.paths, paths.reduce(0, { $0 + $1.utf8.count }) <= Self.pathBytesLimit {
                    text += "sha256sum -z -- " + paths.map { ShellQuote.quote("./" + $0) }.joined(separator: " ")
                } else {
                    text += "find . -type f -exec sha256sum -z -- {} +"
                }
                text += "; fi\n"
            }
            return RemoteScript(text: text + "printf '\(Self.trailer)\\0'\n")
        }

        /// Fills in the SHA-256 of the files the ``followUp`` script hashed; a file it could not
        /// hash keeps none, and so differs from the manifest. Throws `.malformedOutput` when the
        /// output is cut short or names a file that was not asked for.
        public mutating func complete(with output: Data) throws {
            let bytes = [UInt8](output)
            guard let start = NulFieldReader.offset(after: Self.header, in: bytes) else {
                throw RemoteError(.malformedOutput, "the hashing script's output has no header")
            }
            var reader = NulFieldReader(bytes, from: start)
            var current: (service: String, asked: Set<String>?)?
            while !reader.skip(Self.trailer) {
                let field = try reader.nextBytes()
                if let position = NulFieldReader.decimal(field) {
                    guard position < pending.count else { throw RemoteError(.malformedOutput, "the hashing script named a service it was not given") }
                    current = (pending[position].service, pending[position].paths.map(Set.init))
                    continue
                }
                guard let service = current else { throw RemoteError(.malformedOutput, "the hashing script sent a hash before naming its service") }
                let hash = try HostStateProbe.hash(of: field)
                let path = try HostStateProbe.relativePath(field.dropFirst(66))
                guard service.asked?.contains(path) ?? true else {
                    throw RemoteError(.malformedOutput, "the hashing script sent the hash of a file it was not asked for")
                }
                if states[service.service]?.files?[path]?.symlinkTarget == nil { states[service.service]?.files?[path]?.sha256 = hash }
            }
        }
    }
}
