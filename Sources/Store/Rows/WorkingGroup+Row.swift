import Database
import Domain
import Foundation

extension WorkingGroup {
    static let columns: SQLQuery = "id, slug, name, charter, status, created_at"

    init(row: SQLRow) throws {
        try self.init(
            id: try row.id("id"), slug: try Slug(try row.decode("slug")), name: try row.decode("name"), charter: try row.decode("charter"),
            status: try row.enumValue("status"), createdAt: try row.decode("created_at"))
    }
}
