/// An e-mail address, checked for shape only (local@domain.tld); equality ignores case.
public struct EmailAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The address as given (trimmed).
    public let rawValue: String

    /// Validates `text`.
    ///
    /// - Throws: `DomainValidationError` unless it has one `@`, a dotted domain, no spaces, and at most 254 characters.
    public init(_ text: String) throws(DomainValidationError) {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !trimmed.contains(where: { $0.isWhitespace || $0.isNewline })
        else {
            throw DomainValidationError(field: "email", message: "'\(text.prefix(100))' is not an e-mail address")
        }
        self.rawValue = trimmed
    }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }

    public var description: String { self.rawValue }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue.lowercased() == rhs.rawValue.lowercased() }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.rawValue.lowercased()) }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
