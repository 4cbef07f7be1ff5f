import Domain
import Hummingbird
import Store

/// Assembles a group's page: for a plain visit, and again with the typed values and errors after a failed form.
struct GroupPageLoader: Sendable {
    let store: Store
    let views: Views

    func render(_ slug: String, context: AppRequestContext, forms: GroupForms = GroupForms(), status: HTTPResponse.Status = .ok) async throws
        -> HTML
    {
        let viewer = PageViewer(context)
        guard let summary = try await self.store.workingGroups.summary(slug: slug) else {
            throw Problem.notFound("There is no working group '\(slug.prefix(80))'.")
        }
        async let people = self.store.site.people(.init(group: slug), limit: 1000)
        async let artifacts = self.store.artifacts.page(.init(group: slug), viewer: viewer.artifacts, after: nil, limit: 200)
        // Allocations are for the group's members and administrators, as in the API.
        let seesCompute = context.identity.map { $0.member.isAdmin || $0.roles[slug] != nil } ?? false
        async let allocations = seesCompute ? self.store.allocations.list(.init(group: slug)) : []
        async let schedules = self.store.schedules.page(group: slug, after: nil, limit: 100)
        async let standings = self.store.runs.standings(group: slug)
        async let runs = self.store.runs.page(.init(group: slug), after: nil, limit: 10)
        let listed = try await artifacts
        let actions = GroupActions(
            identity: context.identity, csrf: context.csrfToken, group: slug, forms: forms,
            suites: context.identity == nil ? [] : try await self.store.evaluations.suites().map(\.suite), checkpoints: listed.map(ArtifactRow.init))
        let page = GroupPage(
            chrome: viewer.chrome(summary.group.name, .groups), actions: actions, group: summary.group, people: try await people,
            showEmail: viewer.showEmail, artifacts: listed, seesCompute: seesCompute, allocations: try await allocations,
            schedules: try await schedules,
            standings: try await standings, runs: try await runs)
        var html = await self.views.render(page, template: "group")
        html.status = status
        return html
    }
}
