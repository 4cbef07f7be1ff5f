import Domain
import Foundation
import Hummingbird
import Store

/// `/api/v1/memberships`: who is in which group. Public to read; chairs of the group and administrators add people,
/// change roles and end memberships; anyone may end their own.
struct MembershipAPIController: Sendable {
    let store: Store

    struct MembershipDTO: Encodable {
        let id: String
        let memberId: String
        let memberName: String
        let workingGroup: String
        let role: String
        let startedOn: String
        let endedOn: String?
        let current: Bool
        let url: String

        init(_ l: MembershipStore.Listing, today: Date = Date()) {
            self.id = l.membership.id.description
            self.memberId = l.membership.memberID.description
            self.memberName = l.memberName
            self.workingGroup = l.groupSlug
            self.role = l.membership.role.rawValue
            self.startedOn = ISODay.format(l.membership.period.start)
            self.endedOn = l.membership.period.end.map(ISODay.format)
            self.current = l.membership.period.contains(today)
            self.url = "/api/v1/memberships/\(l.membership.id)"
        }
    }

    struct AddRequest: KnownFields {
        static let fields: Set<String> = ["working_group", "member", "role", "started_on"]
        let workingGroup: String
        let member: String
        let role: String
        let startedOn: String?
    }

    struct ChangeRequest: KnownFields {
        static let fields: Set<String> = ["role"]
        let role: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        let memberships = router.group("/api/v1/memberships")
        memberships.get { request, _ in try await self.list(request) }
        memberships.post { request, context in try await self.add(request, context: context) }
        memberships.get("{id}") { request, context in
            try JSONResponse.make(MembershipDTO(try await self.find(context)), request: request)
        }
        memberships.patch("{id}") { request, context in
            let identity = try context.requireWriter()
            let listing = try await self.find(context)
            try Self.requireChair(identity, of: listing.groupSlug)
            let body = try await request.decode(as: ChangeRequest.self, context: context)
            let after = try await self.store.memberships.changeRole(
                listing.membership.id, to: try Self.role(body.role), precondition: Self.precondition(request), actor: identity.actor)
            return try JSONResponse.make(MembershipDTO(after), request: request)
        }
        memberships.delete("{id}") { request, context in
            let identity = try context.requireWriter()
            let listing = try await self.find(context)
            if listing.membership.memberID != identity.member.id { try Self.requireChair(identity, of: listing.groupSlug) }
            try await self.store.memberships.end(
                listing.membership.id, precondition: Self.precondition(request), actor: identity.actor)
            return Response(status: .noContent)
        }
    }

    private func list(_ request: Request) async throws -> Response {
        let page = try Page(request: request)
        let query = request.uri.queryParameters
        var filter = MembershipStore.Filter()
        filter.group = query["working_group"].map(String.init)
        if let member = query["member"] {
            guard let id = Identifier<Member>(String(member)) else { throw Problem.invalid(field: "member", "must be a member id (UUID)") }
            filter.member = id
        }
        if let past = query["include_past"] {
            guard let value = Bool(String(past)) else { throw Problem.invalid(field: "include_past", "must be true or false") }
            filter.currentOnly = !value
        }
        let items = try await self.store.memberships.page(filter, after: try page.afterID(Membership.self), limit: page.limit)
        let path = Page.path(
            "/api/v1/memberships",
            filters: [("working_group", filter.group), ("member", filter.member?.description), ("include_past", filter.currentOnly ? nil : "true")])
        let next = page.next(path: path, lastKey: items.last?.membership.id.description, count: items.count)
        return try JSONResponse.make(ListDTO(items: items.map { MembershipDTO($0) }, next: next.url), request: request, extraHeaders: next.headers)
    }

    private func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireWriter()
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let body = try await request.decode(as: AddRequest.self, context: context)
        guard let slug = try? Slug(body.workingGroup), let group = try await self.store.workingGroups.find(slug: slug) else {
            throw Problem.invalid(field: "working_group", "names no working group")
        }
        try Self.requireChair(identity, of: group.slug.rawValue)
        let role = try Self.role(body.role)
        let member: Member?
        if let id = Identifier<Member>(body.member) {
            member = try await self.store.members.find(id: id)
        } else if let email = try? EmailAddress(body.member) {
            member = try await self.store.members.find(email: email)
        } else {
            member = nil
        }
        guard let member else { throw Problem.invalid(field: "member", "names no member (give a member id or e-mail address)") }
        var start = Date()
        if let text = body.startedOn {
            guard let day = AllocationAPIController.parseDay(text) else {
                throw Problem.invalid(field: "started_on", "must be a date like 2026-01-01")
            }
            start = day
        }
        return try await Idempotency(store: self.store.idempotency).run(request, body: buffer, context: context) {
            let listing = try await self.store.memberships.add(
                member: member.id, group: group.id, role: role, startedOn: start, actor: identity.actor)
            let data = try JSONResponse.encoder.encode(MembershipDTO(listing))
            return (.created, [.contentType: "application/json; charset=utf-8", .location: "/api/v1/memberships/\(listing.membership.id)"], data)
        }
    }

    private func find(_ context: AppRequestContext) async throws -> MembershipStore.Listing {
        let raw = try context.parameters.require("id")
        guard let id = Identifier<Membership>(raw), let listing = try await self.store.memberships.find(id) else {
            throw Problem.notFound("no membership '\(raw.prefix(80))'")
        }
        return listing
    }

    static func role(_ text: String) throws -> Membership.Role { try Page.choice(text, field: "role") }

    static func requireChair(_ identity: TokenStore.Identity, of group: String) throws {
        guard identity.isAdmin || identity.roles[group] == .chair else {
            throw Problem.forbidden("only chairs of '\(group)' and administrators manage its memberships")
        }
    }

    static func precondition(_ request: Request) -> MembershipStore.Precondition? {
        JSONResponse.precondition(request, what: "membership") { try JSONResponse.etag(of: MembershipDTO($0)) }
    }
}
