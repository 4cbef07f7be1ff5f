import Domain
import Foundation
import Hummingbird
import Store

/// `/api/v1/artifacts`: what groups produce. Drafts are registered, filled with files, then published (immutable).
struct ArtifactAPIController: Sendable {
    let store: Store

    struct RegisterRequest: KnownFields {
        static let fields: Set<String> = ["working_group", "kind", "slug", "version", "title", "description", "license", "metadata"]
        let workingGroup: String
        let kind: String
        let slug: String
        let version: String?
        let title: String
        let description: String?
        let license: String?
        let metadata: [String: String]?
    }

    struct UpdateRequest: KnownFields {
        static let fields: Set<String> = ["title", "description", "license", "metadata"]
        let title: String?
        let description: String?
        let license: String?
        let metadata: [String: String]?
    }

    struct WithdrawRequest: KnownFields {
        static let fields: Set<String> = ["reason"]
        let reason: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        let artifacts = router.group("/api/v1/artifacts")
        artifacts.get { request, context in try await self.list(request, context: context) }
        artifacts.post { request, context in try await self.register(request, context: context) }
        artifacts.get("{id}") { request, context in
            let listing = try await ArtifactAccess.visible(context, store: self.store)
            return try await self.show(listing, request: request)
        }
        artifacts.patch("{id}") { request, context in try await self.update(request, context: context) }
        artifacts.delete("{id}") { request, context in
            let (identity, listing) = try await self.manageable(context)
            try await self.store.artifacts.delete(
                listing.artifact.id, precondition: Self.precondition(request), actor: identity.actor)
            return Response(status: .noContent)
        }
        artifacts.post("{id}/publish") { request, context in
            let (identity, listing) = try await self.manageable(context)
            let after = try await self.store.artifacts.publish(
                listing.artifact.id, precondition: Self.precondition(request), actor: identity.actor)
            return try await self.show(after, request: request)
        }
        artifacts.post("{id}/withdraw") { request, context in
            let (identity, listing) = try await self.manageable(context)
            let body = try await request.decode(as: WithdrawRequest.self, context: context)
            let after = try await self.store.artifacts.withdraw(
                listing.artifact.id, reason: body.reason, precondition: Self.precondition(request), actor: identity.actor)
            return try await self.show(after, request: request)
        }
    }

    private func show(_ listing: ArtifactStore.Listing, request: Request) async throws -> Response {
        let files = try await self.store.artifacts.files(of: listing.artifact.id)
        return try JSONResponse.make(ArtifactDTO(listing, files: files), request: request)
    }

    private func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let page = try Page(request: request)
        let query = request.uri.queryParameters
        var filter = ArtifactStore.Filter()
        filter.group = query["working_group"].map(String.init)
        filter.kind = try Page.choice(request, "kind")
        filter.status = try Page.choice(request, "status")
        let items = try await self.store.artifacts.page(
            filter, viewer: ArtifactAccess.viewer(context), after: try page.afterPosition(Artifact.self), limit: page.limit)
        let path = Page.path(
            "/api/v1/artifacts", filters: [("working_group", filter.group), ("kind", filter.kind?.rawValue), ("status", filter.status?.rawValue)])
        let next = page.next(path: path, lastKey: items.last.map { "\($0.position):\($0.artifact.id)" }, count: items.count)
        return try JSONResponse.make(ListDTO(items: items.map { ArtifactDTO($0) }, next: next.url), request: request, extraHeaders: next.headers)
    }

    private func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireWriter()
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let body = try await request.decode(as: RegisterRequest.self, context: context)
        let kind = try Page.choice(body.kind, field: "kind", as: Artifact.Kind.self)
        guard let slug = try? Slug(body.workingGroup), let group = try await self.store.workingGroups.find(slug: slug) else {
            throw Problem.invalid(field: "working_group", "names no working group")
        }
        try ArtifactAccess.requireRegister(identity, group: group.slug.rawValue)
        let artifact = try Artifact(
            workingGroupID: group.id, kind: kind, slug: body.slug, version: body.version ?? "1", title: body.title,
            description: body.description ?? "", license: body.license, metadata: body.metadata ?? [:], createdBy: identity.member.id)
        return try await Idempotency(store: self.store.idempotency).run(request, body: buffer, context: context) {
            let listing = try await self.store.artifacts.register(artifact, actor: identity.actor)
            let data = try JSONResponse.encoder.encode(ArtifactDTO(listing, files: []))
            return (.created, [.contentType: "application/json; charset=utf-8", .location: "/api/v1/artifacts/\(listing.artifact.id)"], data)
        }
    }

    private func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (identity, listing) = try await self.manageable(context)
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let body = try await request.decode(as: UpdateRequest.self, context: context)
        // JSON null clears the license; an absent key leaves it alone, which Decodable alone cannot tell apart.
        let keys = (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]).map { Set($0.keys) } ?? []
        let changes = ArtifactStore.Changes(
            title: body.title, description: body.description, license: keys.contains("license") ? .some(body.license) : nil,
            metadata: body.metadata)
        let after = try await self.store.artifacts.update(
            listing.artifact.id, changes, precondition: Self.precondition(request), actor: identity.actor)
        return try await self.show(after, request: request)
    }

    private func manageable(_ context: AppRequestContext) async throws -> (TokenStore.Identity, ArtifactStore.Listing) {
        let identity = try context.requireWriter()
        let listing = try await ArtifactAccess.visible(context, store: self.store)
        try ArtifactAccess.requireManage(identity, listing)
        return (identity, listing)
    }

    /// `If-Match` as a check run with the artifact locked: the version the client read must still be current.
    static func precondition(_ request: Request) -> ArtifactStore.Precondition? {
        JSONResponse.precondition(request, what: "artifact") { try JSONResponse.etag(of: ArtifactDTO($0.listing, files: $0.files)) }
    }
}
