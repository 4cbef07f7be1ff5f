import Foundation
public import Hummingbird

/// An RFC 9457 problem a handler throws; `ProblemMiddleware` renders it as `application/problem+json`.
public struct Problem: Error, Sendable {
    public let status: HTTPResponse.Status
    public let type: String
    public let title: String
    public let detail: String
    /// For validation problems: the offending fields and what is wrong with each.
    public let fields: [String: String]
    /// Headers the response carries besides the content type (`Retry-After` on a 503, say).
    public let headers: HTTPFields

    public init(
        status: HTTPResponse.Status, type: String, title: String, detail: String, fields: [String: String] = [:], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.fields = fields
        self.headers = headers
    }

    static func invalid(field: String, _ message: String) -> Problem {
        Problem(
            status: .unprocessableContent, type: "validation", title: "Invalid request", detail: "\(field) \(message)", fields: [field: message])
    }

    static let unauthenticated = Problem(
        status: .unauthorized, type: "unauthenticated", title: "Authentication required",
        detail: "Send an API token as 'Authorization: Bearer cons_…' (create one with `consortium tokens create`).")

    static func forbidden(_ detail: String) -> Problem {
        Problem(status: .forbidden, type: "forbidden", title: "Forbidden", detail: detail)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(status: .notFound, type: "not-found", title: "Not Found", detail: detail)
    }

    /// The problem+json response; `requestID` (the `X-Request-Id` the log lines carry) lets a report be matched to them.
    func response(requestID: String? = nil) -> Response {
        var body: [String: Any] = ["type": "/problems/\(self.type)", "title": self.title, "status": self.status.code, "detail": self.detail]
        if let requestID { body["request_id"] = requestID }
        if !self.fields.isEmpty {
            body["errors"] = self.fields.sorted { $0.key < $1.key }.map { ["field": $0.key, "message": $0.value] }
        }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        if self.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"consortium\"" }
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
