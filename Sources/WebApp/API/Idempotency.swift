import Database
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// `Idempotency-Key` on creating POSTs: the first request's response is stored and replayed for retries with the same
/// key and body; the same key with a different body is a 422. The claim, the work and the stored response are one
/// transaction, so a server killed half-way leaves nothing and the retry does the work once; a retry that arrives while
/// the first is still being handled waits for it and replays it.
struct Idempotency {
    let store: IdempotencyStore

    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    /// Runs `create` at most once per key; `request` must have its body collected already.
    func run(
        _ request: Request, body: ByteBuffer, context: AppRequestContext,
        create: () async throws -> (status: HTTPResponse.Status, headers: HTTPFields, data: Data)
    ) async throws -> Response {
        guard let key = request.headers[Self.header] else {
            let made = try await create()
            return Self.response(made.status, made.headers, made.data)
        }
        guard !key.isEmpty, key.utf8.count <= 200 else { throw Problem.invalid(field: "Idempotency-Key", "must be 1 to 200 characters") }
        let principal = context.identity?.member.id.description ?? "anonymous"
        let hash = SHA256.hex(of: Data("\(request.method) \(request.uri.path)\n".utf8) + Data(body.readableBytesView))
        return try await self.store.exactlyOnce { try await self.claimed(principal: principal, key: key, hash: hash, create: create) }
    }

    private func claimed(
        principal: String, key: String, hash: String, create: () async throws -> (status: HTTPResponse.Status, headers: HTTPFields, data: Data)
    ) async throws -> Response {
        switch try await self.store.claim(principal: principal, key: key, requestHash: hash) {
        case .replay(let status, let stored, let data):
            var headers = HTTPFields()
            for (name, value) in stored { if let field = HTTPField.Name(name) { headers[field] = value } }
            headers[Self.replayed] = "true"
            return Self.response(HTTPResponse.Status(code: status), headers, data)
        case .mismatch:
            throw Problem.invalid(field: "Idempotency-Key", "was already used for a different request")
        case .claimed:
            // A failed attempt rolls back with the claim, so the client may fix the request and retry with the key.
            let made = try await create()
            var stored: [String: String] = [:]
            for field in made.headers { stored[field.name.rawName] = field.value }
            try await self.store.complete(principal: principal, key: key, status: made.status.code, headers: stored, body: made.data)
            return Self.response(made.status, made.headers, made.data)
        }
    }

    private static func response(_ status: HTTPResponse.Status, _ headers: HTTPFields, _ data: Data) -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
