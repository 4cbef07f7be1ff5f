/// One row of a query result, copied out of libpq, decodable by column name or position.
public struct SQLRow: Sendable {
    let columns: SQLColumns
    let values: [String?]

    /// The column names, in result order.
    public var columnNames: [String] { self.columns.names }

    /// Decodes the named column. NULL decodes only into an `Optional`.
    ///
    /// - Throws: `DatabaseError` of kind `.decoding` naming the column when it is missing, NULL for a
    ///   non-optional type, of an incompatible PostgreSQL type, or not parseable.
    public func decode<T: SQLDecodable>(_ column: String, as type: T.Type = T.self) throws(DatabaseError) -> T {
        guard let index = self.columns.index[column] else {
            throw DatabaseError(.decoding, message: "result has no column '\(column)' (columns: \(self.columns.names.joined(separator: ", ")))")
        }
        return try self.decode(at: index, as: type)
    }

    /// Decodes the column at `index` (zero-based).
    public func decode<T: SQLDecodable>(at index: Int, as type: T.Type = T.self) throws(DatabaseError) -> T {
        guard self.values.indices.contains(index) else {
            throw DatabaseError(.decoding, message: "result has no column at position \(index)")
        }
        let name = self.columns.names[index]
        let pgType = self.columns.types[index]
        guard let text = self.values[index] else {
            guard let null = T.sqlNull else {
                throw DatabaseError(.decoding, message: "column '\(name)' is NULL; decode it as \(T.self)? instead of \(T.self)")
            }
            return null
        }
        guard T.accepts(pgType) else {
            throw DatabaseError(.decoding, message: "column '\(name)' has type \(pgType), which cannot be decoded as \(T.self)")
        }
        guard let value = T.decode(sqlText: text, type: pgType) else {
            throw DatabaseError(.decoding, message: "column '\(name)' (\(pgType)) holds a value that is not a valid \(T.self)")
        }
        return value
    }

    /// Whether the named column is SQL NULL.
    public func isNull(_ column: String) -> Bool {
        guard let index = self.columns.index[column] else { return true }
        return self.values[index] == nil
    }
}

/// Column names and types shared by every row of one result.
final class SQLColumns: Sendable {
    let names: [String]
    let types: [PostgresType]
    let index: [String: Int]

    init(names: [String], types: [PostgresType]) {
        self.names = names
        self.types = types
        var index: [String: Int] = [:]
        // The first of two same-named columns wins, as in most drivers.
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        self.index = index
    }
}

/// The rows a statement returned and how many rows it touched.
public struct QueryResult: Sendable {
    /// The rows, in result order.
    public let rows: [SQLRow]
    /// Rows inserted, updated, deleted or selected, from the command tag.
    public let affectedRows: Int

    /// The first row, or `nil` when the result is empty.
    public var first: SQLRow? { self.rows.first }
}
