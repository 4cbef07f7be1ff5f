public import Foundation

/// One write, recorded in the same transaction as the write: who did what to which entity, before and after.
public struct AuditEntry: Hashable, Sendable, Codable {
    public var id: Int64?
    public var actorID: Identifier<Member>?
    /// Who acted when that is not (only) a member: the OS user of an admin CLI, a runner's name.
    public var actorName: String?
    /// Why, as the actor said.
    public var reason: String?
    public var tokenID: Identifier<APIToken>?
    /// `entity.verb`, e.g. `allocation.grant`, `membership.end`.
    public var action: String
    public var entityType: String
    public var entityID: String
    /// JSON of the entity before the write (nil for creation).
    public var before: String?
    /// JSON of the entity after the write (nil for deletion).
    public var after: String?
    public var at: Date

    /// Creates an entry; `action` must look like `entity.verb`.
    public init(
        actorID: Identifier<Member>?, actorName: String? = nil, tokenID: Identifier<APIToken>? = nil, action: String, entityType: String,
        entityID: String,
        before: String? = nil, after: String? = nil, reason: String? = nil, at: Date = Date()
    ) throws(DomainValidationError) {
        guard action.wholeMatch(of: /[a-z_]+\.[a-z_]+/) != nil else {
            throw DomainValidationError(field: "action", message: "'\(action.prefix(70))' must look like entity.verb")
        }
        self.actorID = actorID
        self.actorName = actorName
        self.reason = reason
        self.tokenID = tokenID
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.before = before
        self.after = after
        self.at = at
    }
}
