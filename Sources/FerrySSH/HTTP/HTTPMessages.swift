import Foundation

/// The bytes of the small HTTP/1.1 requests Ferry sends through tunnels (and, for
/// `transport: local`, to this machine's loopback).
public enum HTTPRequestEncoder {
    /// `GET path` with `Host` and `Connection: close`; the path must be an absolute
    /// path (and query) without spaces or control characters, so it cannot smuggle headers.
    public static func get(path: String, host: String, port: Int) throws(SSHError) -> Data {
        guard path.hasPrefix("/"), !path.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw SSHError(kind: .invalidArgument, message: "HTTP path \(path.debugDescription) must start with / and contain no spaces or control characters")
        }
        let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let request = "GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: ferry\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        return Data(request.utf8)
    }
}

/// Why a response could not be parsed.
public struct HTTPParseError: Error, Equatable {
    /// What is wrong with the response.
    public var reason: String
}

/// Parses a complete HTTP/1.x response (the connection closed after it).
public enum HTTPResponseParser {
    public static func parse(_ bytes: Data) throws(HTTPParseError) -> HTTPResponse {
        guard let headEnd = bytes.firstRange(of: Data("\r\n\r\n".utf8)) else {
            throw HTTPParseError(reason: bytes.isEmpty ? "the connection closed without a response" : "the response ended inside its headers")
        }
        let head = String(decoding: bytes[bytes.startIndex..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let (statusCode, reason) = try parseStatusLine(lines.removeFirst())
        let headers = try lines.map { line throws(HTTPParseError) -> HTTPResponse.Header in
            guard let colon = line.firstIndex(of: ":") else { throw HTTPParseError(reason: "malformed header line \(line.debugDescription)") }
            return HTTPResponse.Header(
                name: String(line[..<colon]),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        var response = HTTPResponse(statusCode: statusCode, reason: reason, headers: headers, body: Data())
        let rest = Data(bytes[headEnd.upperBound...])
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            response.body = try decodeChunked(rest)
        } else if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText), length >= 0 else { throw HTTPParseError(reason: "bad Content-Length \(lengthText)") }
            guard rest.count >= length else { throw HTTPParseError(reason: "the body ended after \(rest.count) of \(length) bytes") }
            response.body = rest.prefix(length)
        } else {
            response.body = rest
        }
        return response
    }

    private static func parseStatusLine(_ line: String) throws(HTTPParseError) -> (Int, String) {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let code = Int(parts[1]) else {
            throw HTTPParseError(reason: "malformed status line \(line.debugDescription)")
        }
        return (code, parts.count > 2 ? String(parts[2]) : "")
    }

    private static func decodeChunked(_ data: Data) throws(HTTPParseError) -> Data {
        var body = Data()
        var offset = data.startIndex
        let lineEnd = Data("\r\n".utf8)
        while true {
            guard let sizeEnd = data[offset...].firstRange(of: lineEnd) else { throw HTTPParseError(reason: "the chunked body ended early") }
            let sizeText = String(decoding: data[offset..<sizeEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) ?? "", radix: 16), size >= 0 else {
                throw HTTPParseError(reason: "bad chunk size \(sizeText.debugDescription)")
            }
            offset = sizeEnd.upperBound
            if size == 0 { return body }
            guard data.distance(from: offset, to: data.endIndex) >= size + 2 else { throw HTTPParseError(reason: "the chunked body ended early") }
            let chunkEnd = data.index(offset, offsetBy: size)
            body.append(data[offset..<chunkEnd])
            offset = data.index(chunkEnd, offsetBy: 2)
        }
    }
}
