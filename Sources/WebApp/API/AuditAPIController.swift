import Domain
import Foundation
import Hummingbird
import Store

/// `/api/v1/audit`: every write, who made it and why (administrators only).
struct AuditAPIController: Sendable {
    let store: Store

    struct EntryDTO: Encodable {
        let id: Int64
        let at: Date
        let actorId: String?
        let actorName: String?
        let action: String
        let entityType: String
        let entityId: String
        let reason: String?
        let before: String?
        let after: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/audit") { request, context in
            _ = try AllocationAPIController.requireAdmin(context)
            let page = try Page(request: request)
            let before = try page.after.map { text in
                guard let id = Int64(text) else { throw Problem.invalid(field: "cursor", "is not a cursor this API gave out") }
                return id
            }
            let query = request.uri.queryParameters
            let entries = try await self.store.audit.page(
                beforeID: before, entityType: query["entity_type"].map(String.init), entityID: query["entity_id"].map(String.init), limit: page.limit)
            let items = entries.map { e in
                EntryDTO(
                    id: e.id ?? 0, at: e.at, actorId: e.actorID?.description, actorName: e.actorName, action: e.action, entityType: e.entityType,
                    entityId: e.entityID, reason: e.reason, before: e.before, after: e.after)
            }
            let next = page.next(path: "/api/v1/audit", lastKey: items.last.map { String($0.id) }, count: items.count)
            return try JSONResponse.make(ListDTO(items: items, next: next.url), request: request, extraHeaders: next.headers)
        }
    }
}
