/// An ORCID iD (`0000-0002-1825-0097`), with its ISO 7064 MOD 11-2 check digit verified.
public struct ORCID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The sixteen characters in four hyphenated groups.
    public let rawValue: String

    /// Validates `text`; an `https://orcid.org/` prefix is accepted and dropped.
    ///
    /// - Throws: `DomainValidationError` for a wrong shape or a wrong check digit.
    public init(_ text: String) throws(DomainValidationError) {
        var text = text
        for prefix in ["https://orcid.org/", "http://orcid.org/"] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        let digits = text.filter { $0 != "-" }
        guard text.count == 19, text.split(separator: "-").map(\.count) == [4, 4, 4, 4], digits.count == 16,
            digits.dropLast().allSatisfy(\.isASCIIDigit), let last = digits.last, last.isASCIIDigit || last == "X"
        else {
            throw DomainValidationError(field: "orcid", message: "'\(text.prefix(40))' is not an ORCID iD (NNNN-NNNN-NNNN-NNNX)")
        }
        guard Self.checkDigit(for: digits.dropLast()) == last else {
            throw DomainValidationError(field: "orcid", message: "'\(text)' has a wrong check digit")
        }
        self.rawValue = text
    }

    /// The ISO 7064 MOD 11-2 check character for fifteen digits.
    public static func checkDigit(for digits: some Sequence<Character>) -> Character {
        var total = 0
        for digit in digits { total = (total + (digit.wholeNumberValue ?? 0)) * 2 }
        let result = (12 - total % 11) % 11
        return result == 10 ? "X" : Character(String(result))
    }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }

    public var description: String { self.rawValue }
}

extension Character {
    var isASCIIDigit: Bool { self.isASCII && self.isNumber }
}
