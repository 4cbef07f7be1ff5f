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

    struct ListDTO: Encodable {
        let items: [TokenDTO]
        let next: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        let tokens = router.group("/api/v1/tokens")
        tokens.get { request, context in
            guard let identity = context.identity else { throw Problem.unauthenticated }
            let items = try await self.store.tokens.list(member: identity.member.id).map { t in
                TokenDTO(
                    id: t.id.description, name: t.name, prefix: t.prefix, scope: t.scope.rawValue, createdAt: t.createdAt, expiresAt: t.expiresAt,
                    lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt)
            }
            return try JSONResponse.make(ListDTO(items: items, next: nil), request: request)
        }
        tokens.delete("{id}") { _, context in
            guard let identity = context.identity else { throw Problem.unauthenticated }
            guard let id = Identifier<APIToken>(try context.parameters.require("id")),
                try await self.store.tokens.revoke(id, member: identity.member.id, actor: identity.member.email.rawValue)
            else { throw Problem.notFound("no live token with that id among yours") }
            return Response(status: .noContent)
        }
    }
}
