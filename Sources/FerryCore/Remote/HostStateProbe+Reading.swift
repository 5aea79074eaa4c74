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
        /// The services whose manifest the host hashed and the agent's copy was not (name and
        /// path), which ``manifestRead`` reads in a second round trip.
        private(set) var manifestsToRead: [(service: String, path: String)] = []
        /// The services whose manifest the host hashed and found to be the agent's copy.
        let manifestsConfirmed: Set<String>
        /// Whether the host's `find` is GNU find, when the probe said.
        let hostHasGNUFind: Bool?

        init(states: [String: ActualServiceState], pending: [Pending],
             manifestsToRead: [(service: String, path: String)] = [], manifestsConfirmed: Set<String> = [], hostHasGNUFind: Bool? = nil) {
            self.states = states
            self.pending = pending
            self.manifestsToRead = manifestsToRead
            self.manifestsConfirmed = manifestsConfirmed
            self.hostHasGNUFind = hostHasGNUFind
        }

        /// The regular files of one service still to hash.
        struct Pending: Sendable {
            /// The service's name.
            let service: String
            /// The release the probe listed (its directory, or `current`).
            let directory: String
            /// Their paths in the release; nil for every regular file of the release.
            let paths: [String]?
        }

        /// The first field of ``manifestRead``'s output, after anything a login script printed.
        static let manifestsHeader = "FERRY-MANIFESTS-1"

        /// The script reading the manifests of ``manifestsToRead``, nil when there are none:
        /// for each that is still a regular file, its position as a field; then `sizes`, their
        /// sizes and their bytes back to back (as the probe's `manifests` pass).
        public var manifestRead: RemoteScript? {
            guard !manifestsToRead.isEmpty else { return nil }
            var text = RemoteShell.prologue + HostStateProbe.functions + HostStateProbe.gnuFindCheck + "printf '\\n\(Self.manifestsHeader)\\0'\nset --\n"
            for (position, manifest) in manifestsToRead.enumerated() {
                let path = ShellQuote.quote(manifest.path)
                text += "if [ -f \(path) ]; then ferry_field \(position); set -- \"$@\" \(path); fi\n"
            }
            text += "ferry_field sizes\nif [ $# -gt 0 ]; then ferry_sizes \"$@\"; fi\nferry_field \(Self.trailer)\n"
            return RemoteScript(text: text)
        }

        /// Takes the manifests ``manifestRead`` sent for those of ``manifestsToRead``; one it did
        /// not send is gone from the host. Throws `.malformedOutput` when the output is cut short
        /// or names a manifest that was not asked for.
        public mutating func completeManifests(with output: Data) throws {
            let bytes = [UInt8](output)
            guard let start = NulFieldReader.offset(after: Self.manifestsHeader, in: bytes) else {
                throw RemoteError(.malformedOutput, "the manifest reading script's output has no header")
            }
            var reader = NulFieldReader(bytes, from: start)
            var positions: [Int] = []
            while !reader.skip("sizes") {
                guard let position = NulFieldReader.decimal(try reader.nextBytes()), position < manifestsToRead.count,
                      !positions.contains(position) else {
                    throw RemoteError(.malformedOutput, "the manifest reading script named a manifest it was not asked for")
                }
                positions.append(position)
            }
            let sizes = try positions.map { _ in
                guard let size = NulFieldReader.decimal(try reader.nextBytes()) else {
                    throw RemoteError(.malformedOutput, "the manifest reading script sent a size that is not a number")
                }
                return size
            }
            for (position, size) in zip(positions, sizes) {
                states[manifestsToRead[position].service]?.manifestData = Data(try reader.raw(count: size))
            }
            try reader.expect(Self.trailer)
            manifestsToRead = []
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
