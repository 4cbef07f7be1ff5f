import Domain
import Foundation
import Hummingbird
import Store

/// The artifact catalogue, an artifact's page, and a run's page.
struct ArtifactPageController: Sendable {
    let store: Store
    let views: Views
    static let pageSize = 50

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/artifacts") { request, context in try await self.artifacts(request, viewer: PageViewer(context)) }
        router.get("/artifacts/{id}") { _, context in
            try await ArtifactPageLoader(store: self.store, views: self.views).render(try context.parameters.require("id"), context: context)
        }
        router.get("/runs/{id}") { _, context in try await self.run(try context.parameters.require("id"), viewer: PageViewer(context)) }
    }

    private func artifacts(_ request: Request, viewer: PageViewer) async throws -> HTML {
        let query = request.text("q")
        let kindText = request.text("kind", maxLength: 20)
        let group = request.text("group", maxLength: 80)
        // The cursor is the last row's keyset position and id, as the API pages; a bad one starts from the top.
        let cursor = request.text("after", maxLength: 80).split(separator: "_", maxSplits: 1)
        let after = cursor.count == 2 ? Int64(cursor[0]).flatMap { p in Identifier<Artifact>(String(cursor[1])).map { (p, $0) } } : nil
        let kind = Artifact.Kind(rawValue: kindText)
        // One row more than a page tells whether there is a next one.
        var listings = try await self.store.artifacts.page(
            .init(group: group.isEmpty ? nil : group, kind: kind, text: query.isEmpty ? nil : query), viewer: viewer.artifacts, after: after,
            limit: Self.pageSize + 1)
        var next: String?
        if listings.count > Self.pageSize {
            listings.removeLast()
            if let last = listings.last {
                next = pageLink(
                    "/artifacts", [("q", query), ("kind", kindText), ("group", group), ("after", "\(last.position)_\(last.artifact.id)")])
            }
        }
        let page = ArtifactIndexPage(
            chrome: viewer.chrome("Artifacts", .artifacts), query: query, kind: kindText, group: group, listings: listings,
            groups: try await self.store.workingGroups.summaries(), next: next)
        return await self.views.render(page, template: "artifacts")
    }

    private func run(_ raw: String, viewer: PageViewer) async throws -> HTML {
        guard let id = Identifier<EvalRun>(raw), let listing = try await self.store.runs.find(id) else {
            throw Problem.notFound("There is no evaluation run '\(raw.prefix(80))'.")
        }
        async let results = self.store.runs.results(of: id)
        async let outcomes = self.store.runs.outcomes(of: id)
        let page = RunPage(
            chrome: viewer.chrome("Run \(id.description.prefix(8))", nil, refreshSeconds: listing.run.status.isFinished ? nil : 3),
            listing: listing, results: try await results, outcomes: try await outcomes)
        return await self.views.render(page, template: "run")
    }
}
