import Domain
import Store

/// What the signed-in viewer may do on a group's page (the API's rules), with the forms for it.
struct GroupActions: Sendable {
    let csrf: String
    let canManageMembers: Bool
    let canRegister: Bool
    let canSchedule: Bool
    let forms: GroupForms
    let roles: [MemberIndexPage.Option]
    let kinds: [MemberIndexPage.Option]
    let suites: [MemberIndexPage.Option]
    let checkpoints: [MemberIndexPage.Option]

    /// Nil when the viewer may do nothing here (not signed in, or an observer).
    init?(identity: TokenStore.Identity?, csrf: String?, group: String, forms: GroupForms, suites: [EvaluationSuite], checkpoints: [ArtifactRow]) {
        guard let identity, let csrf else { return nil }
        let role = identity.roles[group]
        self.canManageMembers = identity.isAdmin || role == .chair
        self.canRegister = identity.isAdmin || role == .chair || role == .member
        self.canSchedule = self.canManageMembers
        guard self.canManageMembers || self.canRegister else { return nil }
        self.csrf = csrf
        self.forms = forms
        let chosenRole = forms.addMember.values["role"] ?? "member"
        self.roles = Membership.Role.allCases.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == chosenRole) }
        let chosenKind = forms.register.values["kind"] ?? "checkpoint"
        self.kinds = Artifact.Kind.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == chosenKind) }
        let chosenSuite = forms.schedule.values["suite"] ?? ""
        self.suites = suites.map { .init(value: $0.slug, label: $0.name, selected: $0.slug == chosenSuite) }
        let chosenCheckpoint = forms.schedule.values["checkpoint"] ?? "newest"
        self.checkpoints =
            [.init(value: "newest", label: "the group's newest checkpoint", selected: chosenCheckpoint == "newest")]
            + checkpoints.filter { $0.kind == "checkpoint" && $0.status == "published" }.map {
                .init(value: $0.id, label: "\($0.slug) v\($0.version)", selected: $0.id == chosenCheckpoint)
            }
    }
}
