public import Foundation

/// A working group: the unit that owns artifacts, compute allocations and evaluation schedules.
public struct WorkingGroup: Hashable, Sendable, Codable, Identifiable {
    /// Where the group is in its life.
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case proposed, active, concluded, archived
    }

    public let id: Identifier<WorkingGroup>
    public var slug: Slug
    public var name: String
    /// What the group is for (Markdown).
    public var charter: String
    public var status: Status
    public var createdAt: Date

    /// Creates a group; the name must be 1–200 characters and the charter at most 20,000.
    public init(
        id: Identifier<WorkingGroup> = .init(), slug: Slug, name: String, charter: String = "", status: Status = .active,
        createdAt: Date = Date()
    ) throws(DomainValidationError) {
        self.id = id
        self.slug = slug
        self.name = try Text.required(name, field: "name", maxLength: 200)
        self.charter = try Text.optional(charter, field: "charter", maxLength: 20_000)
        self.status = status
        self.createdAt = createdAt
    }
}
