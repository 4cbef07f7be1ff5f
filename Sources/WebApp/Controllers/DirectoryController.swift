import Domain
import Hummingbird
import Store

/// The member and institution pages.
struct DirectoryController: Sendable {
    let store: Store
    let views: Views
    static let pageSize = 50

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/members") { request, context in try await self.members(request, viewer: PageViewer(context)) }
        router.get("/members/{id}") { _, context in try await self.member(try context.parameters.require("id"), viewer: PageViewer(context)) }
        router.get("/institutions") { request, context in try await self.institutions(request, viewer: PageViewer(context)) }
        router.get("/institutions/{slug}") { _, context in
            try await self.institution(try context.parameters.require("slug"), viewer: PageViewer(context))
        }
    }

    private func members(_ request: Request, viewer: PageViewer) async throws -> HTML {
        let filter = SiteStore.PersonFilter(
            name: request.text("name"), country: request.text("country", maxLength: 2), institution: request.text("institution", maxLength: 80),
            group: request.text("group", maxLength: 80))
        let offset = min(max(Int(request.text("offset", maxLength: 9)) ?? 0, 0), 1_000_000)
        async let people = self.store.site.people(filter, offset: offset, limit: Self.pageSize)
        async let total = self.store.site.peopleCount(filter)
        async let countries = self.store.site.countries()
        async let institutions = self.store.institutions.list()
        async let groups = self.store.workingGroups.summaries()
        let page = MemberIndexPage(
            chrome: viewer.chrome("Members", .members), filter: filter, people: try await people, total: try await total, offset: offset,
            pageSize: Self.pageSize, countries: try await countries.map(\.country).sorted(), institutions: try await institutions,
            groups: try await groups, showEmail: viewer.showEmail)
        return await self.views.render(page, template: "members")
    }

    private func member(_ raw: String, viewer: PageViewer) async throws -> HTML {
        guard let id = Identifier<Member>(raw), let person = try await self.store.site.person(id) else {
            throw Problem.notFound("There is no member '\(raw.prefix(80))'.")
        }
        async let history = self.store.site.history(of: id)
        async let artifacts = self.store.site.artifacts(createdBy: id, viewer: viewer.artifacts)
        let page = MemberPage(
            chrome: viewer.chrome(person.member.name, .members), member: person.member, showEmail: viewer.showEmail, history: try await history,
            artifacts: try await artifacts)
        return await self.views.render(page, template: "member")
    }

    private func institutions(_ request: Request, viewer: PageViewer) async throws -> HTML {
        let name = request.text("name")
        let country = request.text("country", maxLength: 2)
        async let institutions = self.store.site.institutions(name: name, country: country)
        async let all = self.store.institutions.list()
        let countries = Set(try await all.map(\.country.rawValue)).sorted()
        let page = InstitutionIndexPage(
            chrome: viewer.chrome("Institutions", .institutions), name: name, country: country, institutions: try await institutions,
            countries: countries)
        return await self.views.render(page, template: "institutions")
    }

    private func institution(_ raw: String, viewer: PageViewer) async throws -> HTML {
        guard let slug = try? Slug(raw), let institution = try await self.store.institutions.find(slug: slug) else {
            throw Problem.notFound("There is no institution '\(raw.prefix(80))'.")
        }
        let people = try await self.store.site.people(.init(institution: raw), limit: 1000)
        let page = InstitutionPage(
            chrome: viewer.chrome(institution.name, .institutions), institution: institution, people: people, showEmail: viewer.showEmail)
        return await self.views.render(page, template: "institution")
    }
}
