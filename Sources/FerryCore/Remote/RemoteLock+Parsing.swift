import Foundation

extension RemoteLock {
    /// What ``acquireScript(timeToLive:)`` found; `.malformedOutput` for anything it does not print.
    public static func parseAcquisition(_ output: Data) throws -> RemoteLockAcquisition {
        let fields = try Fields(output)
        switch fields.outcome {
        case "acquired": return .acquired(expiresAt: try fields.expiry())
        case "took-over": return .tookOver(previous: fields.holder(), expiresAt: try fields.expiry())
        case "held": return .heldBy(fields.holder())
        case "busy": return .busy
        default: throw RemoteError(.malformedOutput, "the lock script reported the unknown outcome \"\(fields.outcome)\"")
        }
    }

    /// What ``releaseScript()`` did; `.malformedOutput` for anything it does not print.
    public static func parseRelease(_ output: Data) throws -> RemoteLockRelease {
        let fields = try Fields(output)
        switch fields.outcome {
        case "released": return .released
        case "not-held": return .notHeld
        case "other": return .heldByOther(fields.holder())
        case "busy": return .busy
        case "broken": return .broken(fields.holder())
        default: throw RemoteError(.malformedOutput, "the unlock script reported the unknown outcome \"\(fields.outcome)\"")
        }
    }

    /// The `key=value` lines a lock script prints, the first being `outcome=…`.
    /// The holder a lock file names (its `key=value` lines, as the acquire script writes them).
    public static func holder(ofLockFile data: Data) -> RemoteLockHolder? {
        let text = String(decoding: data, as: UTF8.self).split(separator: "\n").map { "holder." + $0 }.joined(separator: "\n")
        guard let fields = try? Fields(Data(("outcome=held\n" + text).utf8)), fields.values["holder.token"] != nil else { return nil }
        return fields.holder()
    }

    private struct Fields {
        let outcome: String
        let values: [String: String]

        init(_ output: Data) throws {
            let lines = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            guard let start = lines.firstIndex(where: { $0.hasPrefix("outcome=") }) else {
                throw RemoteError(.malformedOutput, "the lock script printed no outcome")
            }
            var values: [String: String] = [:]
            for line in lines[start...] {
                guard let equals = line.firstIndex(of: "=") else { continue }
                let key = String(line[..<equals])
                if values[key] == nil { values[key] = String(line[line.index(after: equals)...]) }
            }
            outcome = values["outcome"] ?? ""
            self.values = values
        }

        func expiry() throws -> Date {
            guard let seconds = values["expires"].flatMap(Int64.init) else {
                throw RemoteError(.malformedOutput, "the lock script printed no expiry")
            }
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }

        func holder() -> RemoteLockHolder {
            func epoch(_ key: String) -> Date? {
                values["holder.\(key)"].flatMap(Int64.init).map { Date(timeIntervalSince1970: TimeInterval($0)) }
            }
            return RemoteLockHolder(token: values["holder.token"] ?? "", agent: values["holder.agent"] ?? "",
                                    pid: values["holder.pid"].flatMap(Int32.init), host: values["holder.host"] ?? "",
                                    acquiredAt: epoch("acquired"), expiresAt: epoch("expires"),
                                    processStart: values["holder.started"].flatMap(UInt64.init), runID: values["holder.run"])
        }
    }
}
