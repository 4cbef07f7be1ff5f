import Database
import Domain
import Foundation

extension Institution {
    static let columns: SQLQuery = "id, slug, name, country, ror_id, kind, website, created_at"

    init(row: SQLRow) throws {
        try self.init(
            id: try row.id("id"), slug: try Slug(try row.decode("slug")), name: try row.decode("name"),
            country: try CountryCode(try row.decode("country")), rorID: try row.decode("ror_id", as: String?.self).map { try RORID($0) },
            kind: try row.enumValue("kind"), website: try row.decode("website"), createdAt: try row.decode("created_at"))
    }
}
