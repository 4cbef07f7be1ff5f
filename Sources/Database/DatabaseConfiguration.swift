public import Foundation

/// How to reach PostgreSQL: a libpq connection string plus pool limits.
public struct DatabaseConfiguration: Sendable, Hashable {
    /// A libpq connection string or URI (`postgresql://user@host/db`, `host=/path dbname=x`).
    public var connectionString: String
    /// How the target is named in error messages (a password never appears here).
    public var displayName: String
    /// Advice appended to connection errors, e.g. how to start the local cluster.
    public var connectionHint: String?
    /// Upper bound on open connections.
    public var maxConnections: Int
    /// How long a caller waits for a free connection before failing.
    public var acquireTimeout: Duration

    /// Creates a configuration.
    public init(
        connectionString: String, displayName: String? = nil, connectionHint: String? = nil, maxConnections: Int = 8,
        acquireTimeout: Duration = .seconds(30)
    ) {
        self.connectionString = connectionString
        self.displayName = displayName ?? Self.redact(connectionString)
        self.connectionHint = connectionHint
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
    }

    /// The configuration every command uses: `DATABASE_URL` if set, else the local cluster under the data directory.
    ///
    /// - Configuration keys:
    ///   - `DATABASE_URL` (string, optional): libpq connection string or URI; libpq's `PG*` variables still apply.
    ///   - `CONSORTIUM_DATA_DIR` (path, optional, default: `.data`): where `Ops/scripts/db.sh` keeps the local cluster.
    ///   - `DATABASE_POOL_SIZE` (int, optional, default: 8): maximum open connections.
    public static func resolve(
        databaseURL: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> DatabaseConfiguration {
        let poolSize = environment["DATABASE_POOL_SIZE"].flatMap(Int.init) ?? 8
        if let url = databaseURL ?? environment["DATABASE_URL"], !url.isEmpty {
            return DatabaseConfiguration(
                connectionString: url, displayName: "the database at \(redact(url))",
                connectionHint: "Check DATABASE_URL, or unset it to use the local cluster (start it with `Ops/scripts/db.sh start`)",
                maxConnections: poolSize)
        }
        let dataDirectory = environment["CONSORTIUM_DATA_DIR"] ?? ".data"
        let socketDirectory = URL(fileURLWithPath: dataDirectory).appendingPathComponent("postgres").standardizedFileURL
            .resolvingSymlinksInPath().path
        let quoted = socketDirectory.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return DatabaseConfiguration(
            connectionString: "host='\(quoted)' dbname=consortium user=consortium",
            displayName: "the local database (\(dataDirectory)/postgres)",
            connectionHint: "Start it with `Ops/scripts/db.sh start`, or set DATABASE_URL", maxConnections: poolSize)
    }

    /// Hides a password in a URI (`postgresql://u:secret@h` → `postgresql://u:***@h`) or a `password=` key.
    public static func redact(_ connectionString: String) -> String {
        var text = connectionString
        if let scheme = text.range(of: "://") {
            if let at = text[scheme.upperBound...].firstIndex(of: "@"), let colon = text[scheme.upperBound..<at].firstIndex(of: ":") {
                text.replaceSubrange(text.index(after: colon)..<at, with: "***")
            }
            while let range = text.range(of: #"([?&])password=[^&]*"#, options: .regularExpression),
                !text[range].hasSuffix("=***")
            {
                let separator = text[range].first.map(String.init) ?? "?"
                text.replaceSubrange(range, with: "\(separator)password=***")
            }
        } else if let range = text.range(of: #"password\s*=\s*('([^'\\]|\\.)*'|\S+)"#, options: .regularExpression) {
            text.replaceSubrange(range, with: "password=***")
        }
        return text
    }
}
