public import Hummingbird

/// A rendered page, sent as `text/html; charset=utf-8`.
public struct HTML: ResponseGenerator, Sendable {
    let body: String
    var status: HTTPResponse.Status = .ok

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: self.status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "private, no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: self.body)))
    }
}
