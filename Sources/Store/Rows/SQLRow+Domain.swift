public import Database
public import Domain
import Foundation

extension SQLRow {
    /// Decodes a UUID column as a typed identifier.
    func id<Entity>(_ column: String, as: Entity.Type = Entity.self) throws -> Identifier<Entity> {
        Identifier(try self.decode(column, as: UUID.self))
    }

    /// Decodes a nullable UUID column as an optional typed identifier.
    func optionalID<Entity>(_ column: String, as: Entity.Type = Entity.self) throws -> Identifier<Entity>? {
        try self.decode(column, as: UUID?.self).map(Identifier.init)
    }

    /// Decodes a text column into a `RawRepresentable` enum, naming the column if the value is unknown.
    func enumValue<E: RawRepresentable>(_ column: String, as: E.Type = E.self) throws -> E where E.RawValue == String {
        let raw = try self.decode(column, as: String.self)
        guard let value = E(rawValue: raw) else { throw StoreError.corruptRow("column '\(column)' holds unknown value '\(raw)'") }
        return value
    }

    /// Decodes `start`/`end` date columns as a period.
    func period(start: String, end: String) throws -> DatePeriod {
        try DatePeriod(start: try self.decode(start, as: Date.self), end: try self.decode(end, as: Date?.self))
    }
}

extension Identifier: SQLEncodable, SQLArrayElement {
    public static var sqlType: PostgresType { .uuid }
    public static var arrayType: PostgresType { .uuidArray }
    public var sqlParameter: SQLParameter { self.uuid.sqlParameter }
}

extension Slug: SQLEncodable, SQLArrayElement {
    public static var sqlType: PostgresType { .text }
    public static var arrayType: PostgresType { .textArray }
    public var sqlParameter: SQLParameter { self.rawValue.sqlParameter }
}

extension CountryCode: SQLEncodable, SQLArrayElement {
    public static var sqlType: PostgresType { .text }
    public static var arrayType: PostgresType { .textArray }
    public var sqlParameter: SQLParameter { self.rawValue.sqlParameter }
}

extension EmailAddress: SQLEncodable {
    public static var sqlType: PostgresType { .text }
    public var sqlParameter: SQLParameter { self.rawValue.sqlParameter }
}

extension ORCID: SQLEncodable {
    public static var sqlType: PostgresType { .text }
    public var sqlParameter: SQLParameter { self.rawValue.sqlParameter }
}

extension RORID: SQLEncodable {
    public static var sqlType: PostgresType { .text }
    public var sqlParameter: SQLParameter { self.rawValue.sqlParameter }
}
