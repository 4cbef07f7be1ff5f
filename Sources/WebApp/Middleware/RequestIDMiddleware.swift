import HTTPTypes
import Hummingbird
import Logging

/// Gives every request one id: the `X-Request-Id` it came with when sane (nginx's `$request_id` behind the proxy, which
/// sets its own and drops the client's), else the id
/// Hummingbird generated. The id goes into every log line of the request, the `X-Request-Id` response header and every
/// problem document, so a user's error report, nginx's access log and the app's log meet on one key.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var header: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let incoming = request.headers[Self.header], Self.isSane(incoming) {
            context.logger[metadataKey: "hb.request.id"] = .string(incoming)
        }
        let id = context.id
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    /// 1–128 characters of letters, digits and `-_.:`: anything else could forge log lines or headers.
    static func isSane(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
                    || byte == 0x2E || byte == 0x3A
            }
    }
}
