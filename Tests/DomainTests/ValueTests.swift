import Domain
import Foundation
import Testing

@Suite struct ValueTests {
    @Test(arguments: ["tokenization", "data-governance", "a1", "x"])
    func validSlugs(_ text: String) throws {
        #expect(try Slug(text).rawValue == text)
    }

    @Test(arguments: ["", "Upper", "double--hyphen", "-leading", "trailing-", "spa ce", "ünï", "a_b", String(repeating: "a", count: 81)])
    func invalidSlugs(_ text: String) {
        let error = #expect(throws: DomainValidationError.self) { try Slug(text) }
        #expect(error?.field == "slug")
    }

    @Test func slugsAreDerivedFromNames() {
        #expect(Slug.from(name: "Architecture & Scaling")?.rawValue == "architecture-scaling")
        #expect(Slug.from(name: "  Legal & Ethical Scholarship ")?.rawValue == "legal-ethical-scholarship")
        #expect(Slug.from(name: "東京") == nil)
    }

    @Test func countryCodesAreTheAssignedOnes() throws {
        #expect(try CountryCode("fr").rawValue == "FR")
        #expect(CountryCode.all.count == 249)
        for bad in ["XX", "UK", "FRA", "", "1A"] {
            #expect(throws: DomainValidationError.self) { try CountryCode(bad) }
        }
    }

    @Test func emailAddressesCompareWithoutCase() throws {
        #expect(try EmailAddress("Ada@Example.org") == EmailAddress("ada@example.org"))
        for bad in ["no-at.example", "a@b", "a@@b.c", "a b@c.d", "@c.d", "a@.c"] {
            #expect(throws: DomainValidationError.self) { try EmailAddress(bad) }
        }
    }

    @Test func orcidCheckDigitsAreVerified() throws {
        // The ORCID documentation's own example ids.
        #expect(try ORCID("0000-0002-1825-0097").rawValue == "0000-0002-1825-0097")
        #expect(try ORCID("https://orcid.org/0000-0001-5109-3700").rawValue == "0000-0001-5109-3700")
        #expect(try ORCID("0000-0002-1694-233X").rawValue == "0000-0002-1694-233X")
        let error = #expect(throws: DomainValidationError.self) { try ORCID("0000-0002-1825-0098") }
        #expect(error?.message.contains("check digit") == true)
        #expect(throws: DomainValidationError.self) { try ORCID("0000-0002-1825") }
    }

    @Test func rorIDsAreVerified() throws {
        for real in ["03yrm5c26", "01an7q238", "00f54p054", "https://ror.org/05dxps055"] {
            #expect(throws: Never.self) { try RORID(real) }
        }
        #expect(throws: DomainValidationError.self) { try RORID("03yrm5c27") }
        #expect(throws: DomainValidationError.self) { try RORID("13yrm5c26") }
        #expect(throws: DomainValidationError.self) { try RORID("03yrmuc26") }
        for n in [0, 1, 12_345, 999_999_999] {
            let made = try #require(RORID.make(number: n))
            #expect(try RORID(made.rawValue) == made)
        }
    }

    @Test func periodsAreHalfOpen() throws {
        let day: TimeInterval = 86_400
        let start = Date(timeIntervalSince1970: 0)
        let january = try DatePeriod(start: start, end: start.addingTimeInterval(31 * day))
        let february = try DatePeriod(start: start.addingTimeInterval(31 * day), end: nil)
        #expect(!january.overlaps(february))
        #expect(january.contains(start))
        #expect(!january.contains(start.addingTimeInterval(31 * day)))
        #expect(february.contains(start.addingTimeInterval(10_000 * day)))
        #expect(throws: DomainValidationError.self) { try DatePeriod(start: start, end: start) }
    }

    @Test func typedIdentifiersParseAndPrintLowercase() throws {
        let id = try #require(Identifier<Member>("E621E1F8-C36C-495A-93FC-0C247A3E6E5F"))
        #expect(id.description == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
        #expect(Identifier<Member>("not-a-uuid") == nil)
    }
}
