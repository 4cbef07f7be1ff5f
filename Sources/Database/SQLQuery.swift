/// A SQL statement whose interpolated values become `$n` parameters, never SQL text.
///
/// ```swift
/// let rows = try await pool.query("SELECT name FROM working_groups WHERE slug = \(slug)")
/// ```
/// Literal SQL with no values is allowed as a string literal; SQL assembled at run time must go
/// through ``init(unsafeSQL:)`` so that the risk is visible where it is taken.
public struct SQLQuery: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement text with `$1`, `$2`, … placeholders.
    public private(set) var sql: String
    /// The values bound to the placeholders, in order.
    public private(set) var binds: [SQLParameter]

    /// Wraps SQL text that contains no values. The caller vouches that no untrusted input is in it.
    public init(unsafeSQL sql: String) {
        self.sql = sql
        self.binds = []
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// Appends another query, renumbering its placeholders after this one's.
    public mutating func append(_ other: SQLQuery) {
        let offset = self.binds.count
        self.sql += offset == 0 ? other.sql : Self.renumber(other.sql, by: offset)
        self.binds += other.binds
    }

    /// The statement text, with the number of bound values (never the values, which may be secret).
    public var description: String { "\(self.sql) [\(self.binds.count) binds]" }

    /// Builds the SQL text and the bind list while the literal is interpolated.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [SQLParameter] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            self.sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            self.binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            self.sql += literal
        }

        /// Binds a value as the next `$n` parameter.
        public mutating func appendInterpolation(_ value: some SQLEncodable) {
            self.binds.append(value.sqlParameter)
            self.sql += "$\(self.binds.count)"
        }

        /// Binds an optional value; `nil` becomes a NULL of the wrapped type.
        public mutating func appendInterpolation<Value: SQLEncodable>(_ value: Value?) {
            self.binds.append(value.sqlParameter)
            self.sql += "$\(self.binds.count)"
        }

        /// Splices a nested query (its placeholders are renumbered), for composing filters.
        public mutating func appendInterpolation(query: SQLQuery) {
            self.sql += SQLQuery.renumber(query.sql, by: self.binds.count)
            self.binds += query.binds
        }
    }

    /// Shifts `$n` placeholders by `offset`, leaving quoted strings and identifiers alone.
    static func renumber(_ sql: String, by offset: Int) -> String {
        guard offset > 0 else { return sql }
        var out = ""
        var quote: Character?
        var iterator = Array(sql)[...]
        while let c = iterator.popFirst() {
            if let q = quote {
                out.append(c)
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
                out.append(c)
            } else if c == "$", let first = iterator.first, first.isASCII, first.isNumber {
                var digits = ""
                while let d = iterator.first, d.isASCII, d.isNumber { digits.append(d); iterator.removeFirst() }
                out += "$\(Int(digits)! + offset)"
            } else {
                out.append(c)
            }
        }
        return out
    }
}
