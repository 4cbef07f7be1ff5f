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
        router.get("/groups/{slug}") { _, context in try await self.group(try context.parameters.require("slug"), context: context) }
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
        return await self.views.render(page, template: "home")
    }

    private func groups(_ request: Request, viewer: PageViewer) async throws -> HTML {
        let page = GroupIndexPage(
            chrome: viewer.chrome("Working groups", .groups), summaries: try await self.store.workingGroups.summaries(), query: request.text("q"),
            status: request.text("status"))
        return await self.views.render(page, template: "groups")
    }

    private func group(_ slug: String, context: AppRequestContext) async throws -> HTML {
        try await GroupPageLoader(store: self.store, views: self.views).render(slug, context: context)
    }
}
