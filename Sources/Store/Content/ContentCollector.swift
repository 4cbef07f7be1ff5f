public import Database
public import Foundation

/// Removes stored content no artifact file refers to any more (a draft's replaced file, a deleted draft, an upload
/// whose database row never committed). Objects younger than the grace period are kept: an upload is renamed into the
/// store before its row commits, so a young unreferenced object may be one about to be referenced.
public struct ContentCollector: Sendable {
    let pool: DatabasePool
    let content: any ContentStore

    /// A collector over `content`, consulting the artifact files in `pool`'s database.
    public init(pool: DatabasePool, content: any ContentStore) {
        self.pool = pool
        self.content = content
    }

    /// What a collection found (and, unless it was a dry run, removed).
    public struct Report: Sendable, Hashable {
        public var unreferenced: [StoredObject] = []
        public var kept: Int = 0
        public var bytes: Int64 { unreferenced.reduce(0) { $0 + $1.size } }
    }

    /// Removes unreferenced objects stored before `now − grace`; with `dryRun`, only reports them.
    public func collect(grace: TimeInterval = 24 * 3600, now: Date = Date(), dryRun: Bool) async throws -> Report {
        let objects = try await content.objects()
        let referenced = Set(
            try await pool.query("SELECT DISTINCT sha256::text AS sha256 FROM artifact_files").rows.map { try $0.decode("sha256", as: String.self) })
        var report = Report()
        for object in objects {
            if referenced.contains(object.sha256) || object.storedAt > now.addingTimeInterval(-grace) {
                report.kept += 1
                continue
            }
            // Checked again one by one, just before removal: an artifact registered meanwhile may have adopted it.
            let adopted = try await pool.query("SELECT 1 FROM artifact_files WHERE sha256 = \(object.sha256) LIMIT 1").first != nil
            if adopted {
                report.kept += 1
                continue
            }
            let removed = dryRun ? true : try await content.remove(object.sha256, storedBefore: now.addingTimeInterval(-grace))
            if removed {
                report.unreferenced.append(object)
            } else {
                report.kept += 1
            }
        }
        return report
    }
}
