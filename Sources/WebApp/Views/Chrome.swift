/// What every page's frame shows: the title, which section of the navigation is current, and who is signed in.
struct Chrome: Sendable {
    /// The site's sections, for the navigation's `aria-current`.
    enum Section: Sendable { case home, groups, members, institutions, artifacts, signIn }

    let title: String
    let inHome: Bool
    let inGroups: Bool
    let inMembers: Bool
    let inInstitutions: Bool
    let inArtifacts: Bool
    /// Set on pages that should reload themselves (a run still in progress), in seconds.
    let refreshSeconds: Int?
    let viewer: Viewer?

    /// The signed-in member as the frame shows them, with the token the sign-out form must carry.
    struct Viewer: Sendable {
        let name: String
        let memberID: String
        let csrfToken: String
    }

    init(title: String, section: Section?, viewer: Viewer? = nil, refreshSeconds: Int? = nil) {
        self.title = title == "Consortium" ? title : "\(title) · Consortium"
        self.inHome = section == .home
        self.inGroups = section == .groups
        self.inMembers = section == .members
        self.inInstitutions = section == .institutions
        self.inArtifacts = section == .artifacts
        self.refreshSeconds = refreshSeconds
        self.viewer = viewer
    }
}
