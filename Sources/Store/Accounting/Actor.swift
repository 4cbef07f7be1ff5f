public import Domain

/// Who is making a change: an OS user at the admin CLI, a member through the API, or a service.
public struct Actor: Sendable, Hashable {
    /// A name for the audit log (`alice` at the CLI, an e-mail through the API).
    public let name: String
    /// The member behind it, when known.
    public let memberID: Identifier<Member>?

    /// Creates an actor.
    public init(name: String, memberID: Identifier<Member>? = nil) {
        self.name = name
        self.memberID = memberID
    }
}
