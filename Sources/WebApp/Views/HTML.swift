public import Hummingbird

/// A rendered page, sent as `text/html; charset=utf-8`.
public struct HTML: ResponseGenerator, Sendable {
    let body: String

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: self.body)))
    }
}
