import Foundation
import Hummingbird

/// An RFC 9457 `application/problem+json` body.
struct ProblemDetails: Codable, Sendable {
    /// A URI naming the problem kind; relative ones resolve against `/problems/`.
    let type: String
    let title: String
    let status: Int
    let detail: String

    init(status: HTTPResponse.Status, type: String, title: String, detail: String) {
        self.type = "/problems/\(type)"
        self.title = title
        self.status = status.code
        self.detail = detail
    }

    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data(#"{"title":"Internal error","status":500}"#.utf8)
        return Response(
            status: HTTPResponse.Status(code: self.status), headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
