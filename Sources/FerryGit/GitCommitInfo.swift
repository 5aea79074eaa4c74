import Foundation

/// What Ferry reports about a commit: its id, first message line, author and times.
public struct GitCommitInfo: Sendable, Hashable {
    /// The commit's id.
    public var id: CommitID
    /// The first paragraph of the message, on one line (empty when there is no message).
    public var summary: String
    /// The author's name.
    public var authorName: String
    /// The author's email.
    public var authorEmail: String
    /// When the author wrote the change.
    public var authoredAt: Date
    /// When the commit was made (differs from ``authoredAt`` after a rebase or cherry-pick).
    public var committedAt: Date

    /// Creates a commit description (for tests and fakes; the repository builds its own).
    public init(
        id: CommitID, summary: String, authorName: String, authorEmail: String,
        authoredAt: Date, committedAt: Date
    ) {
        self.id = id
        self.summary = summary
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.authoredAt = authoredAt
        self.committedAt = committedAt
    }
}
