import Foundation

/// What a head file held when a log was verified or opened.
enum AuditHeadReading {
    /// A head.
    case found(AuditHead)
    /// No head file.
    case missing
    /// A head file that cannot be read or is not a head.
    case unreadable(AuditError)

    /// Reads the head file at `url`.
    static func read(at url: URL) -> AuditHeadReading {
        do {
            return try AuditHead.read(at: url).map(AuditHeadReading.found) ?? .missing
        } catch let error as AuditError {
            return .unreadable(error)
        } catch {
            return .unreadable(AuditError(.headUnreadable, path: url.path, message: "\(error)"))
        }
    }

    /// The head, when one was found.
    var head: AuditHead? {
        if case .found(let head) = self { head } else { nil }
    }
}

/// Compares the end of a verified chain with its head.
enum AuditHeadCheck {
    /// What the head says about a chain that was followed to the end of the
    /// file (`lastLine` is the file's last line number), and the problem, if any.
    static func check(_ reading: AuditHeadReading, chain: AuditChain, lastLine: Int, headURL: URL) -> (AuditHeadStatus, AuditProblem?) {
        switch reading {
        case .missing:
            return (.missing, nil)
        case .unreadable(let error):
            return (.mismatch, AuditProblem(.headMismatch, line: lastLine + 1, message:
                "\(error): records removed from the end of the log cannot be detected"))
        case .found(let head):
            if chain.count < head.records {
                return (.mismatch, AuditProblem(.headMismatch, line: lastLine + 1, message:
                    "records removed from the end: the head says \(head.records) records ending in \(head.last), "
                    + "the log has \(chain.count) (head file \(headURL.path))"))
            }
            if let found = chain.hash(atPosition: head.records), found != head.last {
                let line = chain.atHeadPosition?.line ?? 0
                return (.mismatch, AuditProblem(.headMismatch, line: line, message:
                    "the end of the log was replaced: the head says record \(head.records) hashes to \(head.last), "
                    + "but record \(head.records) of the log (line \(line)) hashes to \(found) (head file \(headURL.path))"))
            }
            return (.matches(head), nil)
        }
    }
}
