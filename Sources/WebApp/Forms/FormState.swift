/// What a form shows after a failed submission: what was typed (so nothing is lost) and an error per field.
struct FormState: Sendable {
    var values: [String: String] = [:]
    var errors: [String: String] = [:]
    /// Set on the form that was submitted with errors, so the page can open it and say what went wrong (a stored
    /// property: templates see stored properties only).
    let failed: Bool

    init(values: [String: String] = [:], errors: [String: String] = [:]) {
        self.values = values
        self.errors = errors
        self.failed = !errors.isEmpty
    }
}

/// The forms on a group's page.
struct GroupForms: Sendable {
    var addMember = FormState()
    var register = FormState(values: ["version": "1", "kind": "checkpoint"])
    var schedule = FormState()
}

/// The forms on an artifact's page.
struct ArtifactForms: Sendable {
    var upload = FormState()
    var run = FormState()
}
