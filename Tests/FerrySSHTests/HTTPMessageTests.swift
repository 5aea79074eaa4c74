import Foundation
import Testing
@testable import FerrySSH

@Suite struct HTTPMessageTests {
    @Test func aGetRequestAsksTheServerToCloseTheConnection() throws {
        let request = String(decoding: try HTTPRequestEncoder.get(path: "/health?full=1", host: "127.0.0.1", port: 8080), as: UTF8.self)
        #expect(request == "GET /health?full=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: ferry\r\nAccept: */*\r\nConnection: close\r\n\r\n")
    }

    @Test(arguments: ["health", "/a b", "/x\r\nX-Injected: 1", "/tab\there", ""])
    func pathsThatCouldSmuggleHeadersAreRefused(path: String) {
        #expect(throws: SSHError.self) { try HTTPRequestEncoder.get(path: path, host: "127.0.0.1", port: 80) }
    }

    @Test func aResponseWithContentLengthIsCutAtTheLength() throws {
        let response = try HTTPResponseParser.parse(Data("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello".utf8))
        #expect(response.statusCode == 200)
        #expect(response.reason == "OK")
        #expect(response.header("content-type") == "text/plain")
        #expect(response.bodyText == "hello")
        #expect(response.isSuccess)
    }

    @Test func aChunkedBodyIsDecoded() throws {
        let raw = "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnot \r\n5;ext=1\r\nready\r\n0\r\n\r\n"
        let response = try HTTPResponseParser.parse(Data(raw.utf8))
        #expect(response.statusCode == 503)
        #expect(response.bodyText == "not ready")
        #expect(!response.isSuccess)
    }

    @Test func aBodyWithoutLengthRunsToTheEnd() throws {
        let response = try HTTPResponseParser.parse(Data("HTTP/1.0 404 \r\nServer: x\r\n\r\nmissing\n".utf8))
        #expect(response.statusCode == 404)
        #expect(response.bodyText == "missing\n")
    }

    @Test(arguments: [
        "", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", "SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    ])
    func malformedResponsesAreErrors(raw: String) {
        #expect(throws: HTTPParseError.self) { try HTTPResponseParser.parse(Data(raw.utf8)) }
    }
}
