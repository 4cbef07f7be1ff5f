import Database
import DatabaseTestSupport
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing
import WebApp

/// The working-group web pages on the demo consortium: every page renders, user text is escaped, drafts and e-mail
/// addresses stay hidden from anonymous readers, filters filter, and errors are pages for browsers.
@Suite struct PageTests {
    typealias F = ArtifactFixture

    static let browser: HTTPFields = [.accept: "text/html,application/xhtml+xml"]
    /// A quote and a combining acute accent: one Swift character, which is not `"`.
    static let markedQuote = String(String.UnicodeScalarView(["\"", "\u{301}"]))

    private func page(_ client: some TestClientProtocol, _ uri: String, headers: HTTPFields = Self.browser) async throws -> (
        HTTPResponse.Status, String
    ) {
        try await client.execute(uri: uri, method: .get, headers: headers) { response in
            if response.status == .ok {
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(uri)")
                let policy = response.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.contains("default-src 'none'") && !policy.contains("unsafe-inline"), "\(uri)")
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
            }
            return (response.status, String(buffer: response.body))
        }
    }

    private func scalar(_ pool: DatabasePool, _ query: SQLQuery) async throws -> String {
        try #require(try await pool.query(query).first).decode(at: 0)
    }

    @Test func everyKindOfPageRendersWithOneHeadingAndTheSecurityHeaders() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            _ = try await f.evaluationSetUp()
            let checkpoint = try await f.draft(slug: "card", file: [1, 2, 3], publish: true)
            let run = try await f.finishedRun(checkpoint: checkpoint, acc: 0.75)
            let member = try await scalar(pool, "SELECT id::text FROM members ORDER BY name LIMIT 1")
            let institution = try await scalar(pool, "SELECT slug FROM institutions ORDER BY name LIMIT 1")
            let uris = [
                "/", "/groups", "/groups/\(f.group.slug)", "/members", "/members/\(member)", "/institutions", "/institutions/\(institution)",
                "/artifacts", "/artifacts/\(checkpoint)", "/runs/\(run)",
            ]
            try await f.app().test(.router) { client async throws in
                for uri in uris {
                    let (status, body) = try await page(client, uri)
                    #expect(status == .ok, "\(uri)")
                    #expect(body.components(separatedBy: "<h1").count == 2, "\(uri) has exactly one h1")
                    #expect(body.contains("<main id=\"content\">") && body.contains("<html lang=\"en\">"), "\(uri)")
                    #expect(!body.contains("style=\"") && !body.contains("<script"), "\(uri): nothing the policy would block")
                }
                let (_, group) = try await page(client, "/groups/\(f.group.slug)")
                #expect(group.contains("<svg class=\"chart\""), "the leaderboard has its trend chart")
                #expect(group.contains("demo-perplexity · acc"))
                #expect(group.contains(">0.7500<"), "the value is in the table too")
                let (_, runPage) = try await page(client, "/runs/\(run)")
                #expect(runPage.contains("consortium eval rerun \(run)"))
                #expect(runPage.contains("<pre class=\"record\">") && runPage.contains("&quot;seed&quot;"), "the reproducibility record, escaped")
                let (_, artifact) = try await page(client, "/artifacts/\(checkpoint)")
                #expect(artifact.contains("/api/v1/artifacts/\(checkpoint)/files/"))
                #expect(artifact.contains("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"), "the file's SHA-256")
            }
        }
    }

    @Test func userTextIsEscapedAndModelCardsAreRenderedSafely() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let hostile = "<script>alert(1)</script>"
            _ = try await pool.query("UPDATE working_groups SET charter = \(hostile + " & more") WHERE id = \(f.group.id)")
            let card = """
                # Model card

                **Bold** claims, <img src=x onerror=alert(1)> and [a link](javascript:alert(1)).
                """
            let id = try await f.draft(slug: "hostile", title: "Title \(hostile)", file: [9], publish: true)
            _ = try await pool.query("UPDATE artifacts SET description = \(card) WHERE id = \(id)")
            try await f.app().test(.router) { client async throws in
                let (_, group) = try await page(client, "/groups/\(f.group.slug)")
                #expect(group.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"))
                let (_, artifact) = try await page(client, "/artifacts/\(id)")
                #expect(!artifact.contains("<script") && !artifact.contains("<img") && !artifact.contains("javascript:"))
                #expect(artifact.contains("<strong>Bold</strong>"))
                #expect(artifact.contains("Title &lt;script&gt;"))
            }
        }
    }

    @Test func aQuoteWithACombiningMarkCannotLeaveItsAttribute() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            try await f.app().test(.router) { client async throws in
                for path in ["/artifacts?q=", "/groups?q=", "/members?name=", "/institutions?name=", "/sign-in?next=/"] {
                    let (status, body) = try await page(client, path + "%22%CC%81%20autofocus%20onfocus%3Dalert(1)%20x%3D")
                    #expect(status == .ok, "\(path)")
                    let escaped = !body.contains(Self.markedQuote + " autofocus")
                    #expect(escaped, "\(path): the quote must be escaped even with a mark on it")
                }
            }
        }
    }

    @Test func allocationsAreForTheGroupsMembersOnly() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            _ = try await f.evaluationSetUp()
            try await f.app().test(.router) { client async throws in
                let (_, anonymous) = try await page(client, "/groups/\(f.group.slug)")
                #expect(!anonymous.contains("CPU-hours") && anonymous.contains("members and administrators see its allocations"))
                let (_, outsider) = try await page(client, "/groups/\(f.group.slug)", headers: f.headers(.outsider, Self.browser))
                #expect(!outsider.contains("CPU-hours"))
                let (_, member) = try await page(client, "/groups/\(f.group.slug)", headers: f.headers(.member, Self.browser))
                #expect(member.contains("CPU-hours") && member.contains("kg CO₂e"))
            }
        }
    }

    @Test func anonymousReadersSeeNeitherEmailAddressesNorDrafts() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let draft = try await f.draft(slug: "secret-draft", title: "Unreleased checkpoint")
            let creator = try #require(f.members[.creator])
            try await f.app().test(.router) { client async throws in
                let (_, anonymousMember) = try await page(client, "/members/\(creator.id)")
                #expect(!anonymousMember.contains(creator.email.rawValue))
                let (_, anonymousGroup) = try await page(client, "/groups/\(f.group.slug)")
                #expect(!anonymousGroup.contains(creator.email.rawValue) && !anonymousGroup.contains("Unreleased checkpoint"))
                let (status, _) = try await page(client, "/artifacts/\(draft)")
                #expect(status == .notFound)
                let (_, catalogue) = try await page(client, "/artifacts")
                #expect(!catalogue.contains("Unreleased checkpoint"))

                // A member of the group (here by API token) sees both.
                let (_, signedIn) = try await page(client, "/groups/\(f.group.slug)", headers: f.headers(.creator, Self.browser))
                #expect(signedIn.contains(creator.email.rawValue) && signedIn.contains("Unreleased checkpoint"))
                let (draftStatus, _) = try await page(client, "/artifacts/\(draft)", headers: f.headers(.creator, Self.browser))
                #expect(draftStatus == .ok)
            }
        }
    }

    @Test func filtersNarrowTheIndexPages() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let country = try await scalar(
                pool, "SELECT country FROM members WHERE country IS NOT NULL GROUP BY country ORDER BY count(*) DESC LIMIT 1")
            let inCountry = Int(try await scalar(pool, "SELECT count(*)::text FROM members WHERE country = \(country)"))!
            try await f.app().test(.router) { client async throws in
                let (_, members) = try await page(client, "/members?country=\(country)")
                #expect(members.contains("Showing 1–\(inCountry) of \(inCountry)"))
                let rows = members.components(separatedBy: "<a href=\"/members?country=").count - 1
                #expect(rows == inCountry, "every row is of that country")
                let (_, groups) = try await page(client, "/groups?q=multiling")
                #expect(groups.contains("/groups/multilinguality") && !groups.contains("/groups/biomedical"))
                let (_, datasets) = try await page(client, "/artifacts?kind=dataset")
                #expect(!datasets.contains("<td>checkpoint</td>") && datasets.contains("<td>dataset</td>"))
                let full = try await scalar(pool, "SELECT name FROM members WHERE name LIKE '% %' ORDER BY name LIMIT 1")
                let (_, byFullName) = try await page(
                    client,
                    "/members?name=\(full.replacingOccurrences(of: " ", with: "+").addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)")
                #expect(byFullName.contains(">\(full)</a>"), "a browser's + in a search is a space")
                let (_, none) = try await page(client, "/members?name=%25")
                #expect(none.contains("No member matches."), "a % in the search is a literal, not a wildcard")
                // Paging: the first page links to the next, which starts where the first ended.
                let (_, first) = try await page(client, "/members")
                #expect(first.contains("Showing 1–50 of 600") && first.contains("href=\"/members?offset=50\""))
                let (_, second) = try await page(client, "/members?offset=50")
                #expect(second.contains("Showing 51–100 of 600"))
            }
        }
    }

    @Test func badAddressesAndParametersGetPagesNotCrashes() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            try await f.app().test(.router) { client async throws in
                for uri in [
                    "/groups/no-such-group", "/members/not-a-uuid", "/members/\(UUID())", "/institutions/UPPER", "/artifacts/x", "/runs/\(UUID())",
                    "/nowhere",
                ] {
                    let (status, body) = try await page(client, uri)
                    #expect(status == .notFound, "\(uri)")
                    #expect(body.contains("<h1>404 — Not Found</h1>"), "\(uri) is an HTML page for a browser")
                }
                // Tools that do not ask for HTML keep getting problem documents.
                try await client.execute(uri: "/groups/no-such-group", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                let long = String(repeating: "x", count: 5000)
                for uri in [
                    "/members?name=\(long)", "/members?offset=-5", "/members?offset=99999999999999999999", "/artifacts?after=garbage_x",
                    "/artifacts?kind=nonsense", "/institutions?country=%00", "/groups?status=%FF",
                ] {
                    let (status, _) = try await page(client, uri)
                    #expect(status == .ok, "\(uri.prefix(60))")
                }
            }
        }
    }
}
