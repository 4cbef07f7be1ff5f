import Hummingbird
import Store

/// The landing page: the consortium at a glance.
struct LandingController: Sendable {
    let store: Store
    let views: Views

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/") { _, _ in try await self.landing() }
    }

    private func landing() async throws -> HTML {
        async let summaries = self.store.workingGroups.summaries()
        async let members = self.store.members.count()
        async let places = self.store.institutions.counts()
        let counts = try await places
        let page = LandingPage(
            summaries: try await summaries, members: try await members, institutions: counts.institutions, countries: counts.countries)
        return self.views.render(page, template: "landing")
    }
}
