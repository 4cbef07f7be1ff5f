public import Database
import Domain
import Foundation
public import Logging

/// Writes the demo consortium in one transaction; rows that already exist (same ids) are left alone,
/// so running it twice changes nothing.
public struct DemoSeeder: Sendable {
    /// Rows written per table by one run (zero everywhere on a second run).
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        public var inserted: [String: Int] = [:]
        public var description: String {
            inserted.sorted { $0.key < $1.key }.map { "\($0.key) +\($0.value)" }.joined(separator: ", ")
        }
        /// Rows inserted in all tables.
        public var total: Int { inserted.values.reduce(0, +) }
    }

    let pool: DatabasePool
    let logger: Logger

    /// Creates a seeder over `pool`.
    public init(pool: DatabasePool, logger: Logger = Logger(label: "consortium.seed")) {
        self.pool = pool
        self.logger = logger
    }

    /// Generates and writes the demo consortium.
    @discardableResult
    public func seed(_ demo: DemoConsortium) async throws -> Report {
        try await self.pool.withTransaction { connection in
            var report = Report()
            let i = demo.institutions
            report.inserted["institutions"] = try connection.query(
                """
                INSERT INTO institutions (id, slug, name, country, ror_id, kind, website, created_at)
                SELECT * FROM unnest(\(i.map(\.id)), \(i.map(\.slug)), \(i.map(\.name)), \(i.map(\.country.rawValue))::text[],
                                     \(i.map { $0.rorID?.rawValue }), \(i.map(\.kind.rawValue)), \(i.map(\.website)), \(i.map(\.createdAt)))
                ON CONFLICT DO NOTHING
                """
            ).affectedRows
            let m = demo.members
            report.inserted["members"] = try connection.query(
                """
                INSERT INTO members (id, name, email, orcid, country, is_admin, created_at)
                SELECT * FROM unnest(\(m.map(\.id)), \(m.map(\.name)), \(m.map(\.email.rawValue)), \(m.map { $0.orcid?.rawValue }),
                                     \(m.map { $0.country?.rawValue })::text[], \(m.map(\.isAdmin)), \(m.map(\.createdAt)))
                ON CONFLICT DO NOTHING
                """
            ).affectedRows
            let a = demo.affiliations
            report.inserted["affiliations"] = try connection.query(
                """
                INSERT INTO affiliations (id, member_id, institution_id, title, started_on, ended_on)
                SELECT * FROM unnest(\(a.map(\.id)), \(a.map(\.memberID)), \(a.map(\.institutionID)), \(a.map(\.title)),
                                     \(a.map(\.period.start))::date[], \(a.map(\.period.end))::date[])
                ON CONFLICT DO NOTHING
                """
            ).affectedRows
            var groups = 0
            for group in demo.groups {
                groups += try connection.query(
                    """
                    INSERT INTO working_groups (id, slug, name, charter, status, created_at)
                    VALUES (\(group.id), \(group.slug), \(group.name), \(group.charter), \(group.status.rawValue), \(group.createdAt))
                    ON CONFLICT DO NOTHING
                    """
                ).affectedRows
            }
            report.inserted["working_groups"] = groups
            let ms = demo.memberships
            report.inserted["memberships"] = try connection.query(
                """
                INSERT INTO memberships (id, member_id, working_group_id, role, started_on, ended_on)
                SELECT * FROM unnest(\(ms.map(\.id)), \(ms.map(\.memberID)), \(ms.map(\.workingGroupID)), \(ms.map(\.role.rawValue)),
                                     \(ms.map(\.period.start))::date[], \(ms.map(\.period.end))::date[])
                ON CONFLICT DO NOTHING
                """
            ).affectedRows
            var resources = 0
            for resource in demo.resources {
                let exists = try connection.query("SELECT 1 FROM compute_resources WHERE id = \(resource.id)").first != nil
                if !exists {
                    try ComputeStore.insert(resource, on: connection)
                    resources += 1
                }
            }
            report.inserted["compute_resources"] = resources
            var allocations = 0
            for allocation in demo.allocations {
                let exists = try connection.query("SELECT 1 FROM allocations WHERE id = \(allocation.id)").first != nil
                if !exists {
                    try ComputeStore.insert(allocation, on: connection)
                    try AuditStore.record(
                        try AuditEntry(
                            actorID: allocation.grantedBy, action: "allocation.grant", entityType: "allocation",
                            entityID: allocation.id.description, after: AuditStore.json(allocation), at: allocation.createdAt),
                        on: connection)
                    allocations += 1
                }
            }
            report.inserted["allocations"] = allocations
            report.inserted["usage_records"] = try demo.usage.reduce(0) { count, usage in
                count + (try ComputeStore.insert(usage, on: connection) ? 1 : 0)
            }
            var artifacts = 0
            for artifact in demo.artifacts {
                let exists = try connection.query("SELECT 1 FROM artifacts WHERE id = \(artifact.id)").first != nil
                if !exists {
                    try ArtifactStore.insert(artifact, on: connection)
                    artifacts += 1
                }
            }
            report.inserted["artifacts"] = artifacts
            return report
        }
    }
}
