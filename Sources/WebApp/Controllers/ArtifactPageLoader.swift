import Domain
import Hummingbird
import Store

/// Assembles an artifact's page: for a plain visit, and again with the typed values and errors after a failed form.
struct ArtifactPageLoader: Sendable {
    let store: Store
    let views: Views

    /// The artifact named by `raw` if the viewer may see it (otherwise 404, so drafts do not leak).
    func visible(_ raw: String, context: AppRequestContext) async throws -> ArtifactStore.Listing {
        guard let id = Identifier<Artifact>(raw), let listing = try await self.store.artifacts.find(id),
            ArtifactAccess.viewer(context).canSee(listing)
        else { throw Problem.notFound("There is no artifact '\(raw.prefix(80))'.") }
        return listing
    }

    func render(_ raw: String, context: AppRequestContext, forms: ArtifactForms = ArtifactForms(), status: HTTPResponse.Status = .ok) async throws
        -> HTML
    {
        let viewer = PageViewer(context)
        let listing = try await self.visible(raw, context: context)
        let id = listing.artifact.id
        async let files = self.store.artifacts.files(of: id)
        async let runs = self.store.runs.page(.init(checkpoint: id), after: nil, limit: 20)
        let allRuns = try await runs
        let latest = allRuns.first { $0.run.status == .succeeded }
        let results = if let latest { try await self.store.runs.results(of: latest.run.id) } else { [RunStore.ResultListing]() }
        let suites = context.identity == nil ? [] : try await self.store.evaluations.suites().map(\.suite)
        let page = ArtifactPage(
            chrome: viewer.chrome(listing.artifact.title, .artifacts),
            actions: ArtifactActions(identity: context.identity, csrf: context.csrfToken, listing: listing, forms: forms, suites: suites),
            listing: listing, files: try await files, runs: allRuns, latestResults: results)
        var html = await self.views.render(page, template: "artifact")
        html.status = status
        return html
    }
}
