import ArgumentParser
import FerryConfig
import FerryAudit
import FerryCore
import Foundation

/// `ferry audit`: what Ferry did, read from its audit log; `ferry audit verify`
/// checks the log's hash chain.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show what Ferry did, from its append-only audit log.",
        discussion: """
            Lists the records of the audit log (JSON Lines, one record per event) that \
            match every filter given, as a table or, with --json, as the raw lines. \
            --since and --until take an RFC 3339 time (2024-05-01T12:00:00Z, or a date \
            2024-05-01) or an age: 30m, 1h, 7d, 2w.

            The log is --file, else the agent settings' audit log as every command finds \
            it: --audit-log, $FERRY_AUDIT_LOG or audit_log: in the agent file, else \
            audit.jsonl in --state-dir, $FERRY_STATE_DIR or state_dir:, else \
            /var/lib/ferry/audit.jsonl.

            Examples:
              ferry audit --since 1h
              ferry audit --service web --kind deploy_failed rollback --since 7d
              ferry audit --host web-1 --json | jq .error
              ferry audit verify

            Kinds: \(AuditEvent.allCases.map(\.rawValue).joined(separator: ", ")).
            """,
        subcommands: [Verify.self]
    )

    @OptionGroup var log: AuditLogOption

    @Option(help: "Only records about this service.")
    var service: String?

    @Option(help: "Only records about this host.")
    var host: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Only records of these kinds.", valueName: "kind"))
    var kind: [String] = []

    @Option(help: ArgumentHelp("Only records at or after this time or age.", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only records before this time or age.", valueName: "time"))
    var until: String?

    @Option(name: .customLong("run"), help: ArgumentHelp("Only records of this run id.", valueName: "id"))
    var runID: String?

    @OptionGroup var format: AuditFormatOption

    func validate() throws {
        _ = try kinds()
        _ = try time(since, option: "--since", now: Date())
        _ = try time(until, option: "--until", now: Date())
    }

    func run() throws {
        try execute(environment: ProcessInfo.processInfo.environment, now: Date(), output: .standard)
    }

    /// Runs the query against the log, with the environment, clock and output given.
    func execute(environment: [String: String], now: Date, output: Output) throws {
        let filter = AuditFilter(
            service: service, host: host, kinds: try kinds(),
            since: try time(since, option: "--since", now: now),
            until: try time(until, option: "--until", now: now),
            runID: runID)
        let url = log.url(environment: environment)
        var records: [AuditRecord] = []
        do {
            let reader = try AuditReader(url: url, filter: filter)
            while let item = try reader.next() {
                switch item {
                case .record(let record, _, let text):
                    if format.json { output.write(text + "\n") } else { records.append(record) }
                case .unreadable(let line, let reason):
                    output.writeError("warning: \(url.path): line \(line): \(reason) (see `ferry audit verify`)\n")
                }
            }
        } catch let error as AuditError {
            output.writeError("ferry audit: \(error)\(error.kind == .openFailed ? AuditLogOption.hint : "")\n")
            throw FerryExitCode.failure.exit
        }
        guard !format.json else { return }
        output.write(records.isEmpty ? "No audit records match.\n" : AuditTable.render(records))
    }

    private func kinds() throws -> Set<AuditEvent> {
        let names = kind.flatMap { $0.split(separator: ",").map(String.init) }
        return Set(try names.map { name in
            let event = AuditEvent(rawValue: name)
            guard AuditEvent.allCases.contains(event) else {
                throw ValidationError("unknown kind \"\(name)\"; kinds: \(AuditEvent.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return event
        })
    }

    private func time(_ text: String?, option: String, now: Date) throws -> Date? {
        guard let text else { return nil }
        guard let date = AuditTime.parse(text, relativeTo: now) else {
            throw ValidationError("\(option) \"\(text)\" is neither an RFC 3339 time (2024-05-01T12:00:00Z) nor an age (30m, 1h, 7d)")
        }
        return date
    }
}

extension AuditCommand {
    /// `ferry audit verify`: checks the hash chain and the head, and reports the first bad line.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check that no audit record was edited, deleted or reordered.",
            discussion: """
                Every record carries the sha256 of the line before it. This checks the \
                whole chain and names the first bad line: an edited, deleted or reordered \
                record, a line that is not a record, or a torn line left by a crash (reported, \
                and checked past). Records removed from the end leave a valid chain: the \
                head file beside the log (<log>.head, rewritten after every append with the \
                number of records and the sha256 of the last) shows them, and so does an \
                audit_head_mismatch record left by a run that found the log short.

                Exits 0 when the log is intact, 1 otherwise. Without a head file (a copy \
                of the log alone, a log from before heads) records removed from the end \
                cannot be detected: this says so and still exits 0.

                Anyone who can write the log can recompute the sha256 chain. With --key \
                (the state directory's audit.key, which reconcile creates on first use; \
                keep a copy off the machine) every record's mac is checked too, and the \
                first forged or re-hashed record is named. Records written before the key \
                existed carry no mac: a note says how many, and they do not fail the check.

                Examples:
                  $ ferry audit verify
                  ok: 1842 records, chain intact, head matches (/var/lib/ferry/audit.jsonl)
                  $ ferry audit verify --file copy.jsonl --head copy.head
                  copy.jsonl: line 1843: records removed from the end: the head says 1845 \
                records ending in 9f2c…, the log has 1842 (head file copy.head)
                  $ ferry audit verify --key /media/auditor/audit.key
                  ok: 1842 records, chain intact, head matches, 1842 macs match (/var/lib/ferry/audit.jsonl)
                """
        )

        @OptionGroup var log: AuditLogOption

        @Option(help: ArgumentHelp("The log's head file (default: <log>.head beside the log).", valueName: "path"))
        var head: String?

        @Option(help: ArgumentHelp("The audit key (<state_dir>/audit.key, or the auditor's copy): check every record's mac.", valueName: "path"))
        var key: String?

        @OptionGroup var format: AuditFormatOption

        func run() throws {
            try execute(environment: ProcessInfo.processInfo.environment, output: .standard)
        }

        /// Verifies the log; throws `FerryExitCode.failure` when it is not intact.
        func execute(environment: [String: String], output: Output) throws {
            let url = log.url(environment: environment)
            let headURL = head.map { URL(fileURLWithPath: $0) } ?? AuditHead.url(forLog: url)
            let verification: AuditVerification
            do {
                let auditKey = try key.map { try AuditKey.load(from: URL(fileURLWithPath: $0)) }
                verification = try AuditVerifier.verify(url, head: headURL, key: auditKey)
            } catch let error as AuditError {
                output.writeError("ferry audit verify: \(error)\(error.kind == .openFailed ? AuditLogOption.hint : "")\n")
                throw FerryExitCode.failure.exit
            }
            if verification.head == .missing, !format.json {
                output.writeError("warning: no head file \(headURL.path): records removed from the end of the log "
                                  + "cannot be detected (the next append writes it)\n")
            }
            if let keyed = verification.keyed, keyed.unkeyedRecords > 0, !format.json {
                output.writeError("note: the first \(keyed.unkeyedRecords) records (lines 1–\(keyed.lastUnkeyedLine)) are not keyed: "
                                  + "they were written before the audit key existed, and only the hash chain vouches for them\n")
            }
            if format.json {
                output.write(try VerificationJSON(verification, headFile: headURL.path).encoded() + "\n")
            } else if verification.isIntact {
                let head = verification.head == .missing ? "" : ", head matches"
                let macs = verification.keyed.map { ", \($0.keyedRecords) macs match" } ?? ""
                output.write("ok: \(verification.recordCount) records, chain intact\(head)\(macs) (\(url.path))\n")
            } else {
                for problem in verification.problems { output.write("\(url.path): \(problem)\n") }
                let counted = verification.head == .notChecked ? "verified before the first break" : "in the chain"
                output.write("\(url.path): NOT intact: \(verification.recordCount) records \(counted)\n")
            }
            if !verification.isIntact { throw FerryExitCode.failure.exit }
        }
    }

    /// Where a command writes: standard output and standard error, replaceable in tests.
    struct Output: Sendable {
        /// Writes to standard output.
        var write: @Sendable (String) -> Void
        /// Writes to standard error.
        var writeError: @Sendable (String) -> Void

        /// The process's standard output and error.
        static let standard = Output(
            write: { print($0, terminator: "") },
            writeError: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    /// The audit log path when `--file` is not given: the agent settings' `audit_log`
    /// (`$FERRY_AUDIT_LOG`, else the agent file's, else `<state_dir>/audit.jsonl`, the state
    /// directory itself from `$FERRY_STATE_DIR` or the agent file), else `/var/lib/ferry/audit.jsonl`.
    ///
    /// `flags` are the agent settings flags every command takes (`--audit-log`, `--state-dir`,
    /// `--agent-file`, …): they come first, as everywhere.
    static func defaultLogURL(flags: AgentSettingsFlags = AgentSettingsFlags(), environment: [String: String]) -> URL {
        if let settings = try? AgentSettings.load(flags: flags, environment: environment) {
            return URL(fileURLWithPath: settings.auditLog)
        }
        if let path = flags.auditLog ?? environment["FERRY_AUDIT_LOG"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let root = (flags.stateDirectory ?? environment["FERRY_STATE_DIR"])
            .flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
        return StateDirectory(root: root ?? StateDirectory.defaultRoot).auditLogURL
    }
}

/// `--file PATH` and the agent settings flags, shared by `ferry audit` and `ferry audit verify`.
struct AuditLogOption: ParsableArguments {
    static let hint = " (pass --file or --audit-log or --state-dir, set FERRY_AUDIT_LOG or FERRY_STATE_DIR, or audit_log: in the agent file)"

    @Option(help: ArgumentHelp("The audit log (default: the agent settings' audit_log: --audit-log, $FERRY_AUDIT_LOG, the agent file, or <state_dir>/audit.jsonl).", valueName: "path"))
    var file: String?

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    /// `--file`, or the agent settings' audit log.
    func url(environment: [String: String]) -> URL {
        file.map { URL(fileURLWithPath: $0) } ?? AuditCommand.defaultLogURL(flags: agent.flags, environment: environment)
    }
}

/// `--json`, shared by `ferry audit` and `ferry audit verify`.
///
/// One option type for both, because the parser hands an option group of the
/// parent's to the subcommand: `ferry audit verify --json` reaches `verify`.
struct AuditFormatOption: ParsableArguments {
    @Flag(help: """
        Print JSON: the stored lines of the matching records (JSON Lines), or for verify \
        {"intact", "records", "head", "head_file", "problems": [{"line", "kind", "message"}]}, \
        with --key also "keyed_records" and "unkeyed_records".
        """)
    var json = false
}

/// The `--json` report of `ferry audit verify`.
private struct VerificationJSON: Encodable {
    struct Problem: Encodable {
        var line: Int
        var kind: String
        var message: String
    }

    var schema = "ferry.audit-verify/v1"
    var intact: Bool
    var records: Int
    /// `matches`, `missing`, `mismatch` or `not_checked` (the chain broke before the end).
    var head: String
    var headFile: String
    var problems: [Problem]
    /// With `--key`: records whose mac matched, and records before the first keyed one.
    var keyedRecords: Int?
    var unkeyedRecords: Int?

    private enum CodingKeys: String, CodingKey {
        case schema, intact, records, head, problems
        case headFile = "head_file"
        case keyedRecords = "keyed_records"
        case unkeyedRecords = "unkeyed_records"
    }

    init(_ verification: AuditVerification, headFile: String) {
        intact = verification.isIntact
        records = verification.recordCount
        head = switch verification.head {
        case .matches: "matches"
        case .missing: "missing"
        case .mismatch: "mismatch"
        case .notChecked: "not_checked"
        }
        self.headFile = headFile
        problems = verification.problems.map { Problem(line: $0.line, kind: Self.name($0.kind), message: $0.message) }
        keyedRecords = verification.keyed?.keyedRecords
        unkeyedRecords = verification.keyed?.unkeyedRecords
    }

    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    private static func name(_ kind: AuditProblem.Kind) -> String {
        switch kind {
        case .editedRecord: "edited_record"
        case .missingRecord: "missing_record"
        case .reorderedRecords: "reordered_records"
        case .brokenChain: "broken_chain"
        case .unparsableLine: "unparsable_line"
        case .tornLine: "torn_line"
        case .headMismatch: "head_mismatch"
        case .forgedRecord: "forged_record"
        }
    }
}
