/// A Research Organization Registry id (`05dxps055`): `0`, six characters of Crockford base32, two check digits.
public struct RORID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The nine-character id, without the `https://ror.org/` prefix.
    public let rawValue: String

    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    /// Validates `text`, dropping an `https://ror.org/` prefix; the ISO 7064 MOD 97-10 checksum must hold.
    ///
    /// - Throws: `DomainValidationError` for a wrong shape or checksum.
    public init(_ text: String) throws(DomainValidationError) {
        var text = text.lowercased()
        if text.hasPrefix("https://ror.org/") { text.removeFirst("https://ror.org/".count) }
        let chars = Array(text)
        guard chars.count == 9, chars[0] == "0", chars[1..<7].allSatisfy(Self.alphabet.contains),
            let check = Int(String(chars[7...])), let value = Self.decode(chars[0..<7])
        else {
            throw DomainValidationError(field: "ror_id", message: "'\(text.prefix(40))' is not a ROR id (like 05dxps055)")
        }
        guard 98 - (value * 100 % 97) == check else {
            throw DomainValidationError(field: "ror_id", message: "'\(text)' has wrong ROR check digits")
        }
        self.rawValue = text
    }

    /// Makes the ROR id whose base32 part encodes `number` (used to generate fictitious demo ids).
    public static func make(number: Int) -> RORID? {
        var n = number % (1 << 30)
        var body = ""
        for _ in 0..<6 {
            body = String(alphabet[n % 32]) + body
            n /= 32
        }
        guard let value = decode(Array("0" + body)[...]) else { return nil }
        let check = 98 - (value * 100 % 97)
        return try? RORID("0" + body + (check < 10 ? "0" : "") + String(check))
    }

    private static func decode(_ chars: ArraySlice<Character>) -> Int? {
        var value = 0
        for c in chars {
            guard let index = alphabet.firstIndex(of: c) else { return nil }
            value = value * 32 + index
        }
        return value
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
