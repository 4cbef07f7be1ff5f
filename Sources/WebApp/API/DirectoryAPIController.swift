import Domain
import Foundation
import Hummingbird
import Store

/// `/api/v1/institutions`, `/api/v1/members`, `/api/v1/compute-resources`: the consortium's directory.
/// E-mail addresses are shown only to signed-in callers; anonymous callers see public data alone.
struct DirectoryAPIController: Sendable {
    let store: Store
    /// Where the public reads are kept between changes (nil: not kept).
    let cache: PublicResponseCache?

    struct InstitutionDTO: Encodable {
        let slug: String
        let name: String
        let country: String
        let rorId: String?
        let kind: String
        let website: String?
    }

    struct MemberDTO: Encodable {
        let id: String
        let name: String
        let email: String?
        let orcid: String?
        let country: String?
        let institutions: [String]
        let groups: [String: String]
    }

    struct ResourceDTO: Encodable {
        let slug: String
        let name: String
        let kind: String
        let unit: String
        let capacityPerYear: Decimal
        let peakPflops: Decimal?
        let powerWattsPerUnit: Decimal
        let carbonGPerKwh: Decimal
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/institutions") { request, _ in try await self.institutions(request) }
        router.get("/api/v1/members") { request, context in try await self.members(request, signedIn: context.identity != nil) }
        router.get("/api/v1/compute-resources") { request, _ in try await self.resources(request) }
    }

    private func institutions(_ request: Request) async throws -> Response {
        let page = try Page(request: request)
        let country = request.uri.queryParameters["country"].map(String.init)
        return try await JSONResponse.publicRead(request, cache: self.cache) {
            let rows = try await self.store.directory.institutions(after: page.after, country: country, limit: page.limit).map { i in
                InstitutionDTO(
                    slug: i.slug.rawValue, name: i.name, country: i.country.rawValue, rorId: i.rorID?.rawValue, kind: i.kind.rawValue,
                    website: i.website)
            }
            let next = page.next(
                path: Page.path("/api/v1/institutions", filters: [("country", country)]), lastKey: rows.last?.slug, count: rows.count)
            return (ListDTO(items: rows, next: next.url), next.headers)
        }
    }

    private func members(_ request: Request, signedIn: Bool) async throws -> Response {
        let page = try Page(request: request)
        let group = request.uri.queryParameters["working_group"].map(String.init)
        let after = try page.afterID(Member.self)
        // Signed-in callers see e-mail addresses: they and anonymous callers are two audiences, never sharing an entry.
        return try await JSONResponse.publicRead(request, cache: self.cache, audience: signedIn ? "signed-in" : "public") {
            let rows = try await self.store.directory.members(after: after, group: group, limit: page.limit).map { m in
                MemberDTO(
                    id: m.member.id.description, name: m.member.name, email: signedIn ? m.member.email.rawValue : nil,
                    orcid: m.member.orcid?.rawValue, country: m.member.country?.rawValue, institutions: m.institutionSlugs,
                    groups: m.roles.mapValues(\.rawValue))
            }
            let next = page.next(path: Page.path("/api/v1/members", filters: [("working_group", group)]), lastKey: rows.last?.id, count: rows.count)
            return (ListDTO(items: rows, next: next.url), next.headers)
        }
    }

    private func resources(_ request: Request) async throws -> Response {
        try await JSONResponse.publicRead(request, cache: self.cache) {
            let items = try await self.store.directory.resources().map { r in
                ResourceDTO(
                    slug: r.slug.rawValue, name: r.name, kind: r.kind.rawValue, unit: r.unit.rawValue, capacityPerYear: r.capacityPerYear,
                    peakPflops: r.peakPFLOPS, powerWattsPerUnit: r.powerWattsPerUnit, carbonGPerKwh: r.carbonGramsPerKWh)
            }
            return (ListDTO(items: items, next: nil), [:])
        }
    }
}
