/// Checks the `mac` of each record ``AuditVerifier`` chains, with the log's ``AuditKey``.
///
/// Records before the first keyed one (written before the key existed) are counted,
/// not refused. After a keyed record, a record without a `mac` or with a wrong one is
/// forged: written, or rewritten with its hash chain recomputed, by someone without the key.
struct AuditMACCheck {
    let key: AuditKey
    /// Records at the start of the chain that carry no `mac`.
    private(set) var unkeyedRecords = 0
    /// The line of the last of them.
    private(set) var lastUnkeyedLine = 0
    /// Records whose `mac` matched.
    private(set) var keyedRecords = 0
    /// The first forged record, once found.
    private(set) var problem: AuditProblem?

    /// Checks `link` (whose line is `bytes`), chained after `previous`; returns a problem the
    /// first time one is found.
    mutating func check(_ link: AuditChain.Link, bytes: [UInt8], after previous: AuditChain.Link?) -> AuditProblem? {
        guard problem == nil else { return nil }
        guard let mac = link.record.mac else {
            if keyedRecords == 0 {
                unkeyedRecords += 1
                lastUnkeyedLine = link.line
                return nil
            }
            return found(AuditProblem(.forgedRecord, line: link.line, message:
                "the record has no mac although the records before it are keyed: it was written without the audit key "
                + "(forged, or by a Ferry that did not use the state directory's audit.key)"))
        }
        guard let unkeyed = AuditMACField.lineWithout(mac, in: bytes),
              key.mac(previous: previous?.record.mac, line: unkeyed) == mac else {
            return found(AuditProblem(.forgedRecord, line: link.line, message:
                "the mac does not match: the record was forged, or rewritten with its hash chain recomputed, "
                + "by someone without the audit key (or the key given is not this log's)"))
        }
        keyedRecords += 1
        return nil
    }

    private mutating func found(_ problem: AuditProblem) -> AuditProblem {
        self.problem = problem
        return problem
    }
}
