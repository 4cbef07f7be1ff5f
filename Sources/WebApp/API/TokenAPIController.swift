import Domain
import Foundation
import Hummingbird
import Store

/// `/api/v1/tokens`: a caller's own tokens (the secrets are never shown again).
struct TokenAPIController: Sendable {
    let store: Store

    struct TokenDTO: Encodable {
        let id: String
        let name: String
        let prefix: String
        let scope: String
        let createdAt: Date
        let expiresAt: Date?
        let lastUsedAt: Date?
        let revokedAt: Date?
    }

    struct CreateRequest: KnownFields {
        static let fields: Set<String> = ["name", "scope", "expires_in_days"]
        let name: String
        let scope: String?
        let expiresInDays: Int?
    }

    /// The new token's record and, this once, its secret.
    struct CreatedDTO: Encodable {
        let token: TokenDTO
        let secret: String
    }

    static func dto(_ t: APIToken) -> TokenDTO {
        TokenDTO(
            id: t.id.description, name: t.name, prefix: t.prefix, scope: t.scope.rawValue, createdAt: t.createdAt, expiresAt: t.expiresAt,
            lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt)
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        let tokens = router.group("/api/v1/tokens")
        tokens.get { request, context in
            guard let identity = context.identity else { throw Problem.unauthenticated }
            let items = try await self.store.tokens.list(member: identity.member.id).map(Self.dto)
            return try JSONResponse.make(ListDTO(items: items, next: nil), request: request)
        }
        tokens.post { request, context in try await self.create(request, context: context) }
        tokens.delete("{id}") { _, context in
            guard let identity = context.identity else { throw Problem.unauthenticated }
            guard let id = Identifier<APIToken>(try context.parameters.require("id")),
                try await self.store.tokens.revoke(id, member: identity.member.id, actor: identity.member.email.rawValue)
            else { throw Problem.notFound("no live token with that id among yours") }
            return Response(status: .noContent)
        }
    }

    /// A token for oneself, never with more power or a longer life than the token asking for it.
    private func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw Problem.unauthenticated }
        // Replaying the first response would mean storing the secret; a client that lost it creates another token.
        guard request.headers[Idempotency.header] == nil else {
            throw Problem.invalid(field: "Idempotency-Key", "is not accepted here: token secrets are never stored, so a retry cannot replay one")
        }
        let body = try await request.decode(as: CreateRequest.self, context: context)
        let scope =
            try body.scope.map { text in
                guard let scope = APIToken.Scope(rawValue: text) else { throw Problem.invalid(field: "scope", "must be read, write or admin") }
                return scope
            } ?? .read
        guard scope <= identity.token.scope else {
            throw Problem.forbidden("a \(identity.token.scope.rawValue)-scoped token cannot create a \(scope.rawValue)-scoped one")
        }
        let days = body.expiresInDays ?? 90
        guard (1...365).contains(days) else { throw Problem.invalid(field: "expires_in_days", "must be from 1 to 365") }
        var expiresAt = Date().addingTimeInterval(Double(days) * 86_400)
        if let parent = identity.token.expiresAt { expiresAt = min(expiresAt, parent) }
        let (token, secret) = try await self.store.tokens.create(
            for: identity.member.email, name: body.name, scope: scope, expiresAt: expiresAt, actor: identity.member.email.rawValue)
        var response = try JSONResponse.make(
            CreatedDTO(token: Self.dto(token), secret: secret), status: .created, request: request,
            extraHeaders: [.location: "/api/v1/tokens/\(token.id)"])
        response.headers[.cacheControl] = "no-store"
        response.headers[.eTag] = nil
        return response
    }
}
