import Domain
import Foundation
import Hummingbird
import Store

/// `/api/v1/allocations`: administrators grant, adjust and revoke, under the same rules as the CLI.
struct AllocationAPIController: Sendable {
    let store: Store

    struct GrantRequest: KnownFields {
        static let fields: Set<String> = ["working_group", "resource", "amount", "period_start", "period_end", "justification", "slurm_account"]
        let workingGroup: String
        let resource: String
        let amount: Decimal
        let periodStart: String
        let periodEnd: String
        let justification: String
        let slurmAccount: String?
    }

    struct AdjustRequest: KnownFields {
        static let fields: Set<String> = ["by", "reason"]
        let by: Decimal
        let reason: String
    }

    struct RevokeRequest: KnownFields {
        static let fields: Set<String> = ["reason"]
        let reason: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        let allocations = router.group("/api/v1/allocations")
        allocations.post { request, context in try await self.grant(request, context: context) }
        allocations.get("{id}") { request, context in
            _ = try Self.requireAdmin(context)
            return try JSONResponse.make(AllocationDTO(try await self.store.allocations.find(try Self.id(context))), request: request)
        }
        allocations.post("{id}/adjust") { request, context in
            let identity = try Self.requireAdmin(context)
            let body = try await request.decode(as: AdjustRequest.self, context: context)
            let listing = try await self.store.allocations.adjust(try Self.id(context), by: body.by, reason: body.reason, actor: identity.actor)
            return try JSONResponse.make(AllocationDTO(listing), request: request)
        }
        allocations.post("{id}/revoke") { request, context in
            let identity = try Self.requireAdmin(context)
            let body = try await request.decode(as: RevokeRequest.self, context: context)
            let listing = try await self.store.allocations.revoke(try Self.id(context), reason: body.reason, actor: identity.actor)
            return try JSONResponse.make(AllocationDTO(listing), request: request)
        }
    }

    private func grant(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try Self.requireAdmin(context)
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let body = try await request.decode(as: GrantRequest.self, context: context)
        guard let start = Self.parseDay(body.periodStart) else { throw Problem.invalid(field: "period_start", "must be a date like 2026-01-01") }
        guard let end = Self.parseDay(body.periodEnd) else { throw Problem.invalid(field: "period_end", "must be a date like 2027-01-01") }
        let period = try DatePeriod(start: start, end: end)
        return try await Idempotency(store: self.store.idempotency).run(request, body: buffer, context: context) {
            let allocation = try await self.store.allocations.grant(
                group: body.workingGroup, resource: body.resource, amount: body.amount, period: period, justification: body.justification,
                slurmAccount: body.slurmAccount, actor: identity.actor)
            let data = try JSONResponse.encoder.encode(AllocationDTO(try await self.store.allocations.find(allocation.id)))
            return (
                .created, [.contentType: "application/json; charset=utf-8", .location: "/api/v1/allocations/\(allocation.id)"], data
            )
        }
    }

    static func requireAdmin(_ context: AppRequestContext) throws -> TokenStore.Identity {
        guard let identity = context.identity else { throw Problem.unauthenticated }
        guard identity.isAdmin else { throw Problem.forbidden("managing allocations needs an administrator's admin-scoped token") }
        return identity
    }

    static func id(_ context: AppRequestContext) throws -> Identifier<Allocation> {
        guard let id = Identifier<Allocation>(try context.parameters.require("id")) else { throw Problem.notFound("no such allocation") }
        return id
    }

    static func parseDay(_ text: String) -> Date? { ISODay.parse(text) }
}
