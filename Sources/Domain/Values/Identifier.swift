public import Foundation

/// A typed identifier: an `Identifier<Member>` cannot be passed where an `Identifier<WorkingGroup>` is expected.
public struct Identifier<Entity>: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The UUID stored in the database.
    public let uuid: UUID

    /// Wraps an existing UUID.
    public init(_ uuid: UUID) { self.uuid = uuid }

    /// A new random identifier.
    public init() { self.uuid = UUID() }

    /// Parses a UUID string; `nil` if it is not one.
    public init?(_ string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.uuid = uuid
    }

    public init(from decoder: any Decoder) throws {
        self.uuid = try decoder.singleValueContainer().decode(UUID.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.uuid)
    }

    /// Lowercase, as PostgreSQL prints UUIDs.
    public var description: String { self.uuid.uuidString.lowercased() }
}
