import Database
import Testing

@Suite struct SQLQueryTests {
    @Test func interpolatedValuesBecomeNumberedParameters() {
        let slug = "multilinguality"
        let limit = 20
        let query: SQLQuery = "SELECT * FROM working_groups WHERE slug = \(slug) LIMIT \(limit)"
        #expect(query.sql == "SELECT * FROM working_groups WHERE slug = $1 LIMIT $2")
        #expect(query.binds.map(\.text) == ["multilinguality", "20"])
        #expect(query.binds.map(\.type) == [.text, .int8])
    }

    @Test(arguments: ["'; DROP TABLE members; --", "x' OR '1'='1", "$1", "\\'", "\u{0}"])
    func hostileTextNeverReachesTheSQLText(_ hostile: String) {
        let query: SQLQuery = "SELECT \(hostile) AS v"
        #expect(query.sql == "SELECT $1 AS v")
        #expect(query.binds.first?.text == hostile)
    }

    @Test func nilBindsATypedNull() {
        let missing: String? = nil
        let query: SQLQuery = "SELECT \(missing)::text"
        #expect(query.binds == [SQLParameter(type: .text, text: nil)])
    }

    @Test func nestedQueriesAreRenumberedButQuotedDollarsAreNot() {
        let filter: SQLQuery = "kind = \("paper") AND note <> '$1'"
        let query: SQLQuery = "SELECT * FROM artifacts WHERE slug = \("a") AND \(query: filter)"
        #expect(query.sql == "SELECT * FROM artifacts WHERE slug = $1 AND kind = $2 AND note <> '$1'")
        #expect(query.binds.map(\.text) == ["a", "paper"])
    }

    @Test func arraysAreQuotedElementByElement() {
        let values = ["a,b", "q\"uote", "back\\slash", "{brace}", "NULL"]
        let query: SQLQuery = "SELECT \(values)"
        #expect(query.binds.first?.text == #"{"a,b","q\"uote","back\\slash","{brace}","NULL"}"#)
        #expect(query.binds.first?.type == .textArray)
    }

    @Test func descriptionNeverShowsValues() {
        let secret = "hunter2"
        let query: SQLQuery = "SELECT \(secret)"
        #expect(!query.description.contains(secret))
    }
}
