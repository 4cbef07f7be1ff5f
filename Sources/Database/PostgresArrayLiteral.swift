/// Parses PostgreSQL's text form of a one-dimensional array: `{a,"b c",NULL,"d\"e"}`.
enum PostgresArrayLiteral {
    /// The elements, with `nil` for unquoted NULL; `nil` overall for malformed or multi-dimensional input.
    static func parse(_ text: String) -> [String?]? {
        var chars = Array(text.unicodeScalars)[...]
        guard chars.popFirst() == "{", chars.popLast() == "}" else { return nil }
        if chars.isEmpty { return [] }
        var items: [String?] = []
        while true {
            if chars.first == "\"" {
                chars.removeFirst()
                var item = String.UnicodeScalarView()
                var closed = false
                while let c = chars.popFirst() {
                    if c == "\\" {
                        guard let escaped = chars.popFirst() else { return nil }
                        item.append(escaped)
                    } else if c == "\"" {
                        closed = true
                        break
                    } else {
                        item.append(c)
                    }
                }
                guard closed else { return nil }
                items.append(String(item))
            } else {
                var item = String.UnicodeScalarView()
                while let c = chars.first, c != "," {
                    if c == "{" || c == "\"" { return nil }
                    item.append(c)
                    chars.removeFirst()
                }
                let s = String(item)
                items.append(s == "NULL" ? nil : s)
            }
            guard let separator = chars.popFirst() else { return items }
            guard separator == "," else { return nil }
        }
    }
}
