public import Foundation

/// One forward-only schema change: `Schema/migrations/NNNN_name.sql`.
public struct Migration: Sendable, Hashable {
    /// The number the file name starts with; migrations apply in this order.
    public let version: Int
    /// The rest of the file name, without the extension.
    public let name: String
    /// The file name, e.g. `0001_core.sql`.
    public let fileName: String
    /// The SQL text.
    public let sql: String
    /// SHA-256 of the file's bytes, recorded when applied.
    public let checksum: String

    /// Reads every migration file in `directory`, sorted by version.
    ///
    /// - Throws: `DatabaseError` of kind `.migration` for a missing directory, a `.sql` file whose name is not
    ///   `NNNN_name.sql`, two files with one version, or a file that is not UTF-8.
    public static func load(from directory: URL) throws -> [Migration] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatabaseError(
                .migration, message: "migrations folder \(directory.path) does not exist",
                hint: "Run from the repository root or pass --schema-dir")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for fileName in names {
            guard let match = fileName.wholeMatch(of: /(\d{4})_([a-z0-9_]+)\.sql/), let version = Int(match.1) else {
                throw DatabaseError(
                    .migration, message: "migration file name '\(fileName)' is not NNNN_lowercase_name.sql")
            }
            let data = try Data(contentsOf: directory.appendingPathComponent(fileName))
            guard let sql = String(data: data, encoding: .utf8) else {
                throw DatabaseError(.migration, message: "migration \(fileName) is not valid UTF-8")
            }
            migrations.append(
                Migration(version: version, name: String(match.2), fileName: fileName, sql: sql, checksum: SHA256.hex(of: data)))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw DatabaseError(.migration, message: "migrations \(a.fileName) and \(b.fileName) share version \(a.version)")
        }
        return migrations
    }
}
