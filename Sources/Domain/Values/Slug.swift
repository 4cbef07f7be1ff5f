/// A URL-safe identifier: lowercase letters and digits in hyphen-separated words (`multilinguality`, `data-governance`).
public struct Slug: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The validated text.
    public let rawValue: String

    /// Validates `text`.
    ///
    /// - Throws: `DomainValidationError` if it is empty, longer than 80 characters, or not hyphen-separated `[a-z0-9]` words.
    public init(_ text: String, field: String = "slug") throws(DomainValidationError) {
        guard Self.isValid(text) else {
            throw DomainValidationError(
                field: field, message: "'\(text.prefix(100))' is not a slug (lowercase letters and digits in hyphen-separated words, at most 80)")
        }
        self.rawValue = text
    }

    /// Makes a slug from any name: lowercases, keeps ASCII letters and digits, joins words with hyphens.
    public static func from(name: String) -> Slug? {
        var words: [String] = []
        var current = ""
        for scalar in name.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        let text = String(words.joined(separator: "-").prefix(80)).trimmingSuffixHyphens()
        return try? Slug(text)
    }

    static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 80, text.first != "-", text.last != "-", !text.contains("--") else { return false }
        return text.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }

    public var description: String { self.rawValue }
    public static func < (lhs: Slug, rhs: Slug) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension String {
    fileprivate func trimmingSuffixHyphens() -> String {
        var s = Substring(self)
        while s.last == "-" { s = s.dropLast() }
        return String(s)
    }
}
