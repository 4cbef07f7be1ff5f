import Domain
import Store

/// What the signed-in viewer may do on an artifact's page (the API's rules), with the forms for it.
struct ArtifactActions: Sendable {
    let csrf: String
    let canUpload: Bool
    let canPublish: Bool
    let canRun: Bool
    let forms: ArtifactForms
    let suites: [MemberIndexPage.Option]

    /// Nil when the viewer may do nothing here.
    init?(identity: TokenStore.Identity?, csrf: String?, listing: ArtifactStore.Listing, forms: ArtifactForms, suites: [EvaluationSuite]) {
        guard let identity, let csrf else { return nil }
        let manages = (try? ArtifactAccess.requireManage(identity, listing)) != nil
        let isDraft = listing.artifact.status == .draft
        self.canUpload = manages && isDraft
        self.canPublish = manages && isDraft
        let role = identity.roles[listing.groupSlug]
        self.canRun =
            listing.artifact.kind == .checkpoint && listing.artifact.status == .published && (identity.isAdmin || role == .chair || role == .member)
        guard self.canUpload || self.canRun else { return nil }
        self.csrf = csrf
        self.forms = forms
        let chosen = forms.run.values["suite"] ?? suites.first?.slug ?? ""
        self.suites = suites.map { .init(value: $0.slug, label: $0.name, selected: $0.slug == chosen) }
    }
}
