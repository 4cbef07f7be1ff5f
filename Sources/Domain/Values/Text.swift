/// Shared checks for free-text fields (also used by stores for fields that are not part of a record).
public enum Text {
    /// Trims the text and requires 1…`maxLength` characters with no control characters.
    public static func required(_ text: String, field: String, maxLength: Int) throws(DomainValidationError) -> String {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw DomainValidationError(field: field, message: "must not be empty") }
        guard trimmed.count <= maxLength else {
            throw DomainValidationError(field: field, message: "must be at most \(maxLength) characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw DomainValidationError(field: field, message: "must not contain control characters")
        }
        return trimmed
    }

    /// Allows any text up to `maxLength` characters (newlines included).
    public static func optional(_ text: String, field: String, maxLength: Int) throws(DomainValidationError) -> String {
        guard text.count <= maxLength else {
            throw DomainValidationError(field: field, message: "must be at most \(maxLength) characters")
        }
        return text
    }

    /// Requires an `http://` or `https://` URL.
    static func httpURL(_ text: String, field: String) throws(DomainValidationError) -> String {
        guard text.hasPrefix("https://") || text.hasPrefix("http://"), text.count <= 2000, !text.contains(where: \.isWhitespace) else {
            throw DomainValidationError(field: field, message: "must be an http(s) URL")
        }
        return text
    }
}
