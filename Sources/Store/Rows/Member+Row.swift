import Database
import Domain
import Foundation

extension Member {
    static let columns: SQLQuery = "id, name, email, orcid, country, is_admin, created_at"

    init(row: SQLRow) throws {
        try self.init(
            id: try row.id("id"), name: try row.decode("name"), email: try EmailAddress(try row.decode("email")),
            orcid: try row.decode("orcid", as: String?.self).map { try ORCID($0) },
            country: try row.decode("country", as: String?.self).map { try CountryCode($0) }, isAdmin: try row.decode("is_admin"),
            createdAt: try row.decode("created_at"))
    }
}
