/// HTML escaping for the few fragments the server builds as text (charts, Markdown) rather than through templates.
enum Escape {
    /// Text safe inside an element or a double-quoted attribute.
    static func html(_ text: some StringProtocol) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { Self.append(scalar, into: &out) }
        return out
    }

    /// Appends one scalar, escaped (for renderers that build their output scalar by scalar).
    static func append(_ scalar: Unicode.Scalar, into html: inout String) {
        switch scalar {
        case "&": html += "&amp;"
        case "<": html += "&lt;"
        case ">": html += "&gt;"
        case "\"": html += "&quot;"
        case "'": html += "&#39;"
        default: html.unicodeScalars.append(scalar)
        }
    }
}
