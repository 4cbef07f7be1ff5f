import Domain
import Hummingbird
import Store

/// The home page and the working-group pages.
struct HomeController: Sendable {
    let store: Store
    let views: Views

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/") { _, context in try await self.home(PageViewer(context)) }
        router.get("/groups") { request, context in try await self.groups(request, viewer: PageViewer(context)) }
        router.get("/groups/{slug}") { _, context in try await self.group(try context.parameters.require("slug"), viewer: PageViewer(context)) }
    }

    private func home(_ viewer: PageViewer) async throws -> HTML {
        async let summaries = self.store.workingGroups.summaries()
        async let members = self.store.members.count()
        async let places = self.store.institutions.counts()
        async let countries = self.store.site.countries()
        async let artifacts = self.store.artifacts.page(.init(status: .published), viewer: viewer.artifacts, after: nil, limit: 8)
        async let runs = self.store.runs.page(.init(), after: nil, limit: 8)
        let page = HomePage(
            chrome: viewer.chrome("Consortium", .home), summaries: try await summaries, members: try await members,
            institutions: try await places.institutions, countries: try await countries, artifacts: try await artifacts, runs: try await runs)
        return self.views.render(page, template: "home")
    }

    private func groups(_ request: Request, viewer: PageViewer) async throws -> HTML {
        let page = GroupIndexPage(
            chrome: viewer.chrome("Working groups", .groups), summaries: try await self.store.workingGroups.summaries(), query: request.text("q"),
            status: request.text("status"))
        return self.views.render(page, template: "groups")
    }

    private func group(_ slug: String, viewer: PageViewer) async throws -> HTML {
        guard let summary = try await self.store.workingGroups.summary(slug: slug) else {
            throw Problem.notFound("There is no working group '\(slug.prefix(80))'.")
        }
        async let people = self.store.site.people(.init(group: slug), limit: 1000)
        async let artifacts = self.store.artifacts.page(.init(group: slug), viewer: viewer.artifacts, after: nil, limit: 200)
        async let allocations = self.store.allocations.list(.init(group: slug))
        async let schedules = self.store.schedules.page(group: slug, after: nil, limit: 100)
        async let standings = self.store.runs.standings(group: slug)
        async let runs = self.store.runs.page(.init(group: slug), after: nil, limit: 10)
        let page = GroupPage(
            chrome: viewer.chrome(summary.group.name, .groups), group: summary.group, people: try await people, showEmail: viewer.showEmail,
            artifacts: try await artifacts, allocations: try await allocations, schedules: try await schedules, standings: try await standings,
            runs: try await runs)
        return self.views.render(page, template: "group")
    }
}
