import Domain
import Foundation
import Hummingbird
import Store

/// `/api/v1/working-groups`: public group data; allocations and usage for the group's members and administrators.
struct WorkingGroupAPIController: Sendable {
    let store: Store
    /// Where the public reads are kept between changes (nil: not kept).
    let cache: PublicResponseCache?

    struct GroupDTO: Encodable {
        let slug: String
        let name: String
        let status: String
        let charter: String
        let memberCount: Int
        let artifactCount: Int
        let chairs: [String]
        let createdAt: Date
        /// Where the group's members, memberships, artifacts, allocations and usage are listed.
        let links: [String: String]
    }

    struct UsageDTO: Encodable {
        let allocationId: String
        let resource: String
        let month: String
        let source: String
        let records: Int
        let amount: Decimal
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        let groups = router.group("/api/v1/working-groups")
        groups.get { request, _ in try await self.list(request) }
        groups.get("{slug}") { request, context in try await self.show(request, slug: try context.parameters.require("slug")) }
        groups.get("{slug}/allocations") { request, context in
            try await self.allocations(request, context: context, slug: try context.parameters.require("slug"))
        }
        groups.get("{slug}/usage") { request, context in
            try await self.usage(request, context: context, slug: try context.parameters.require("slug"))
        }
    }

    private func dto(_ s: WorkingGroupStore.Summary) -> GroupDTO {
        GroupDTO(
            slug: s.group.slug.rawValue, name: s.group.name, status: s.group.status.rawValue, charter: s.group.charter,
            memberCount: s.memberCount, artifactCount: s.artifactCount, chairs: s.chairs, createdAt: s.group.createdAt,
            links: Self.links(s.group.slug.rawValue))
    }

    static func links(_ slug: String) -> [String: String] {
        [
            "self": "/api/v1/working-groups/\(slug)", "members": "/api/v1/members?working_group=\(slug)",
            "memberships": "/api/v1/memberships?working_group=\(slug)", "artifacts": "/api/v1/artifacts?working_group=\(slug)",
            "allocations": "/api/v1/working-groups/\(slug)/allocations", "usage": "/api/v1/working-groups/\(slug)/usage",
            "runs": "/api/v1/runs?working_group=\(slug)", "leaderboard": "/api/v1/working-groups/\(slug)/leaderboard",
            "regression_thresholds": "/api/v1/working-groups/\(slug)/regression-thresholds",
        ]
    }

    private func list(_ request: Request) async throws -> Response {
        let page = try Page(request: request)
        return try await JSONResponse.publicRead(request, cache: self.cache) {
            let all = try await self.store.workingGroups.summaries().sorted { $0.group.slug < $1.group.slug }
            let items = Array(all.filter { summary in page.after.map { summary.group.slug.rawValue > $0 } ?? true }.prefix(page.limit))
            let next = page.next(path: "/api/v1/working-groups", lastKey: items.last?.group.slug.rawValue, count: items.count)
            return (ListDTO(items: items.map(self.dto), next: next.url), next.headers)
        }
    }

    private func show(_ request: Request, slug: String) async throws -> Response {
        try await JSONResponse.publicRead(request, cache: self.cache) {
            guard let summary = try await self.store.workingGroups.summary(slug: slug) else {
                throw Problem.notFound("no working group '\(slug)'")
            }
            return (self.dto(summary), [:])
        }
    }

    /// Members of the group and administrators may see its compute; others are refused, anonymous callers asked to sign in.
    private func requireGroupAccess(_ context: AppRequestContext, slug: String) async throws {
        // A path that is not even a slug names no group: 404, like any other unknown group.
        guard let valid = try? Slug(slug), try await self.store.workingGroups.find(slug: valid) != nil else {
            throw Problem.notFound("no working group '\(slug.prefix(80))'")
        }
        guard let identity = context.identity else { throw Problem.unauthenticated }
        guard identity.member.isAdmin || identity.roles[slug] != nil else {
            throw Problem.forbidden("only members of '\(slug)' and administrators can see its allocations")
        }
    }

    private func allocations(_ request: Request, context: AppRequestContext, slug: String) async throws -> Response {
        try await self.requireGroupAccess(context, slug: slug)
        let listings = try await self.store.allocations.list(.init(group: slug))
        return try JSONResponse.make(ListDTO(items: listings.map(AllocationDTO.init), next: nil), request: request)
    }

    private func usage(_ request: Request, context: AppRequestContext, slug: String) async throws -> Response {
        try await self.requireGroupAccess(context, slug: slug)
        var items: [UsageDTO] = []
        for listing in try await self.store.allocations.list(.init(group: slug)) {
            for month in try await self.store.allocations.usageByMonth(listing.allocation.id) {
                items.append(
                    UsageDTO(
                        allocationId: listing.allocation.id.description, resource: listing.resource.slug.rawValue, month: month.month,
                        source: month.source,
                        records: month.jobs, amount: month.amount))
            }
        }
        return try JSONResponse.make(ListDTO(items: items, next: nil), request: request)
    }
}
