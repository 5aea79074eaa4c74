import Foundation

/// An HTTP response received through a tunnel.
public struct HTTPResponse: Sendable, Equatable {
    /// One header line; names keep the server's spelling.
    public struct Header: Sendable, Equatable {
        /// The header name (`Content-Type`).
        public var name: String
        /// The value, without surrounding whitespace.
        public var value: String

        /// A header line.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The status code (200, 503…).
    public var statusCode: Int
    /// The reason phrase (`OK`), possibly empty.
    public var reason: String
    /// The headers in the order received.
    public var headers: [Header]
    /// The body, with chunked transfer coding removed.
    public var body: Data

    /// A response as received.
    public init(statusCode: Int, reason: String, headers: [Header], body: Data) {
        self.statusCode = statusCode
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(statusCode) }

    /// The body decoded as UTF-8 (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
