import Foundation

/// A fresh directory under the system temp directory, removed when released.
final class TemporaryDirectory: Sendable {
    let url: URL

    init(_ label: String = "ferry-git-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func appending(_ path: String) -> URL {
        url.appendingPathComponent(path)
    }
}
