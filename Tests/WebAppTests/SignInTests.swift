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

/// Signing in on the web pages, sessions, the anti-forgery tokens on every form, and what chairs and members do there.
@Suite struct SignInTests {
    typealias F = ArtifactFixture
    static let password = "correct horse battery staple"

    /// A browser's cookie jar, as far as these tests need one.
    struct Browser {
        var cookies: [String: String] = [:]

        var headers: HTTPFields {
            var fields: HTTPFields = [.accept: "text/html"]
            if !self.cookies.isEmpty { fields[.cookie] = self.cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
            return fields
        }

        mutating func take(_ response: TestResponse) {
            for header in response.headers[values: .setCookie] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0])
                let value = pair.count > 1 ? String(pair[1]) : ""
                if value.isEmpty || header.contains("Max-Age=0") { self.cookies[name] = nil } else { self.cookies[name] = value }
            }
        }
    }

    static func token(in body: String) -> String? {
        body.firstMatch(of: /name="csrf" value="([A-Za-z0-9]+)"/).map { String($0.1) }
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return ByteBuffer(string: body)
    }

    /// Opens the sign-in page and submits it; returns the response status and location.
    static func signIn(
        _ client: some TestClientProtocol, _ browser: inout Browser, email: String, password: String, next: String = "/"
    ) async throws -> (HTTPResponse.Status, String?) {
        let page = try await client.execute(uri: "/sign-in?next=\(next)", method: .get, headers: browser.headers) { $0 }
        browser.take(page)
        let csrf = try #require(Self.token(in: String(buffer: page.body)))
        var headers = browser.headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await client.execute(
            uri: "/sign-in", method: .post, headers: headers,
            body: Self.form([("csrf", csrf), ("next", next), ("email", email), ("password", password)])
        ) { $0 }
        browser.take(response)
        return (response.status, response.headers[.location])
    }

    /// Posts a form the way the page does: with the session's token taken from the page at `page`.
    static func submit(
        _ client: some TestClientProtocol, _ browser: Browser, page: String, to uri: String, _ fields: [(String, String)], token: String? = nil
    ) async throws -> TestResponse {
        let csrf: String
        if let token {
            csrf = token
        } else {
            let body = try await client.execute(uri: page, method: .get, headers: browser.headers) { String(buffer: $0.body) }
            csrf = try #require(Self.token(in: body), "no form on \(page)")
        }
        var headers = browser.headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: Self.form([("csrf", csrf)] + fields)) { $0 }
    }

    /// A migrated database with the demo, the given members' passwords set, and the app.
    private func withPasswords(
        _ roles: [F.Role], evaluations: Bool = false, _ body: @escaping @Sendable (F, DatabasePool) async throws -> Void
    ) async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            if evaluations { _ = try await f.evaluationSetUp() }
            for role in roles {
                let member = try #require(f.members[role])
                try await f.store.sessions.setPassword(email: member.email, password: Self.password, actor: Actor(name: "test"))
            }
            try await body(f, pool)
        }
    }

    @Test func passwordHashesVerifyOnlyTheirPasswordAndRefuseAnythingElse() {
        let stored = PasswordHash.make("a long enough password", iterations: 1_000)
        #expect(stored.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(PasswordHash.verify("a long enough password", against: stored))
        #expect(!PasswordHash.verify("a long enough passworD", against: stored))
        #expect(PasswordHash.make("same", iterations: 1_000) != PasswordHash.make("same", iterations: 1_000), "salted")
        for bad in ["", "plain", "pbkdf2-sha256$1000$$", "pbkdf2-sha256$1$AAAA$AAAA", "md5$1000$AAAA$AAAA", String(stored.dropLast(4))] {
            #expect(!PasswordHash.verify("a long enough password", against: bad), "\(bad)")
        }
    }

    @Test func signingInOpensASessionThatSigningOutEnds() async throws {
        try await self.withPasswords([.chair]) { f, pool in
            let chair = try #require(f.members[.chair])
            try await f.app().test(.router) { client async throws in
                var browser = Browser()
                let (status, location) = try await Self.signIn(
                    client, &browser, email: chair.email.rawValue.uppercased(), password: Self.password, next: "/groups")
                #expect(status == .seeOther && location == "/groups")
                let secret = try #require(browser.cookies["consortium_session"])
                let stored: Int64 = try #require(
                    try await pool.query("SELECT count(*) FROM web_sessions WHERE secret_hash = \(SHA256.digest(of: Data(secret.utf8)))").first
                ).decode(at: 0)
                #expect(stored == 1, "only the secret's digest is stored")
                let home = try await client.execute(uri: "/", method: .get, headers: browser.headers) { String(buffer: $0.body) }
                #expect(home.contains(chair.name) && home.contains("Sign out"))
                let out = try await Self.submit(client, browser, page: "/", to: "/sign-out", [])
                #expect(out.status == .seeOther)
                let stale = browser
                browser.take(out)
                #expect(browser.cookies["consortium_session"] == nil)
                let after = try await client.execute(uri: "/", method: .get, headers: stale.headers) { String(buffer: $0.body) }
                #expect(after.contains("href=\"/sign-in\"") && !after.contains("Sign out"), "the old cookie no longer signs anyone in")
            }
        }
    }

    @Test func theSessionCookieIsHttpOnlyAndSameSiteAndHostOnlyOverTLS() async throws {
        try await self.withPasswords([.chair]) { f, pool in
            let chair = try #require(f.members[.chair])
            try await f.app().test(.router) { client async throws in
                for tls in [false, true] {
                    let prefix = tls ? "__Host-" : ""
                    var headers: HTTPFields = [:]
                    if tls { headers[HTTPField.Name("X-Forwarded-Proto")!] = "https" }
                    let page = try await client.execute(uri: "/sign-in", method: .get, headers: headers) { $0 }
                    let csrfCookie = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("\(prefix)consortium_csrf=") })
                    let csrf = String(csrfCookie.split(separator: ";")[0].dropFirst("\(prefix)consortium_csrf=".count))
                    headers[.cookie] = "\(prefix)consortium_csrf=\(csrf)"
                    headers[.contentType] = "application/x-www-form-urlencoded"
                    let response = try await client.execute(
                        uri: "/sign-in", method: .post, headers: headers,
                        body: Self.form([("csrf", csrf), ("email", chair.email.rawValue), ("password", Self.password)])
                    ) { $0 }
                    let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("\(prefix)consortium_session=") })
                    #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"))
                    #expect(cookie.contains("Secure") == tls, "Secure exactly when the browser came over TLS")
                    // Over TLS a cookie without the __Host- prefix (one a subdomain could plant) signs nobody in.
                    let secret = String(cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)[1])
                    var planted: HTTPFields = [.cookie: "consortium_session=\(secret)", .accept: "text/html"]
                    planted[HTTPField.Name("X-Forwarded-Proto")!] = "https"
                    let home = try await client.execute(uri: "/", method: .get, headers: planted) { String(buffer: $0.body) }
                    #expect(home.contains("Sign out") == false)
                }
            }
        }
    }

    @Test func signInsSentAtOnceStillGetOnlyFiveGuesses() async throws {
        try await self.withPasswords([.chair]) { f, pool in
            let chair = try #require(f.members[.chair])
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        switch try await f.store.sessions.signIn(email: chair.email.rawValue, password: "guess \(index)", client: "c\(index)") {
                        case .refused: "refused"
                        case .throttled: "throttled"
                        case .busy: "busy"
                        case .signedIn: "signed in"
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "refused" }.count <= SessionStore.maxFailuresPerEmail, "\(outcomes)")
            #expect(!outcomes.contains("signed in"))
            let counted: Int64 = try #require(try await pool.query("SELECT count(*) FROM sign_in_attempts").first).decode(at: 0)
            #expect(counted <= Int64(SessionStore.maxFailuresPerEmail), "only checked attempts are counted")
        }
    }

    @Test func wrongPasswordsAreRefusedAlikeAndThenThrottled() async throws {
        try await self.withPasswords([.chair]) { f, pool in
            let chair = try #require(f.members[.chair])
            try await f.app().test(.router) { client async throws in
                var browser = Browser()
                let (unknown, _) = try await Self.signIn(client, &browser, email: "nobody@example.org", password: Self.password)
                #expect(unknown == .unauthorized, "an unknown address is refused like a wrong password")
                for _ in 0..<SessionStore.maxFailuresPerEmail {
                    let (status, _) = try await Self.signIn(client, &browser, email: chair.email.rawValue, password: "not the password")
                    #expect(status == .unauthorized)
                }
                #expect(browser.cookies["consortium_session"] == nil)
                let (throttled, _) = try await Self.signIn(client, &browser, email: chair.email.rawValue, password: Self.password)
                #expect(throttled == .tooManyRequests, "even the right password waits once the address is throttled")
                let (empty, _) = try await Self.signIn(client, &browser, email: "", password: "")
                #expect(empty == .unprocessableContent)
            }
            let attempts: Int64 = try #require(try await pool.query("SELECT count(*) FROM sign_in_attempts WHERE NOT succeeded").first).decode(at: 0)
            #expect(attempts == Int64(SessionStore.maxFailuresPerEmail) + 1)
        }
    }

    @Test func formsWithoutTheRightTokenAreRejectedAndNextStaysOnThisSite() async throws {
        try await self.withPasswords([.chair]) { f, pool in
            let chair = try #require(f.members[.chair])
            let newcomer = try #require(
                try await pool.query(
                    "SELECT email FROM members p WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.member_id = p.id AND m.working_group_id = \(f.group.id)) LIMIT 1"
                ).first
            ).decode(at: 0, as: String.self)
            try await f.app().test(.router) { client async throws in
                // Sign-in without the double-submit cookie: refused before the password is even looked at.
                let forged = try await client.execute(
                    uri: "/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: Self.form([("csrf", "x"), ("email", chair.email.rawValue), ("password", Self.password)])
                ) { $0.status }
                #expect(forged == .forbidden)
                var browser = Browser()
                let (_, location) = try await Self.signIn(
                    client, &browser, email: chair.email.rawValue, password: Self.password, next: "//evil.example/x")
                #expect(location == "/", "no open redirect")
                let page = "/groups/\(f.group.slug)"
                let wrong = try await Self.submit(
                    client, browser, page: page, to: "\(page)/members", [("email", newcomer), ("role", "member")], token: "forged")
                #expect(wrong.status == .forbidden && String(buffer: wrong.body).contains("Form rejected"))
                var anonymous = Browser()
                anonymous.cookies = [:]
                let signedOut = try await Self.submit(client, anonymous, page: page, to: "\(page)/members", [("email", newcomer)], token: "x")
                #expect(signedOut.status == .unauthorized)
                let count: Int64 = try #require(
                    try await pool.query(
                        "SELECT count(*) FROM memberships m JOIN members p ON p.id = m.member_id WHERE p.email = \(newcomer) AND m.working_group_id = \(f.group.id)"
                    ).first
                ).decode(at: 0)
                #expect(count == 0, "nothing was written")
                // API writes never accept the session cookie (they carry no CSRF token).
                var headers = browser.headers
                headers[.contentType] = "application/json"
                let api = try await client.execute(
                    uri: "/api/v1/memberships", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"member": "\#(newcomer)", "working_group": "\#(f.group.slug)", "role": "member"}"#)
                ) { $0.status }
                #expect(api == .unauthorized)
                let doubled = try await client.execute(
                    uri: "//api/v1/memberships", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"member": "\#(newcomer)", "working_group": "\#(f.group.slug)", "role": "member"}"#)
                ) { $0.status }
                #expect(doubled == .unauthorized, "not through a doubled slash either")
            }
        }
    }

    @Test func chairsManageMembersAndSchedulesOthersCannot() async throws {
        try await self.withPasswords([.chair, .creator], evaluations: true) { f, pool in
            let chair = try #require(f.members[.chair])
            let plain = try #require(f.members[.creator])
            let newcomer = try #require(
                try await pool.query(
                    "SELECT email FROM members p WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.member_id = p.id AND m.working_group_id = \(f.group.id)) LIMIT 1"
                ).first
            ).decode(at: 0, as: String.self)
            let page = "/groups/\(f.group.slug)"
            try await f.app().test(.router) { client async throws in
                var member = Browser()
                _ = try await Self.signIn(client, &member, email: plain.email.rawValue, password: Self.password)
                let memberPage = try await client.execute(uri: page, method: .get, headers: member.headers) { String(buffer: $0.body) }
                #expect(!memberPage.contains("id=\"add-member\"") && memberPage.contains("id=\"register-artifact\""))
                let refused = try await Self.submit(client, member, page: page, to: "\(page)/members", [("email", newcomer), ("role", "member")])
                #expect(refused.status == .forbidden)

                var chairBrowser = Browser()
                _ = try await Self.signIn(client, &chairBrowser, email: chair.email.rawValue, password: Self.password)
                let added = try await Self.submit(
                    client, chairBrowser, page: page, to: "\(page)/members", [("email", newcomer), ("role", "observer")])
                #expect(added.status == .seeOther && added.headers[.location] == "\(page)#members")
                let again = try await Self.submit(client, chairBrowser, page: page, to: "\(page)/members", [("email", newcomer), ("role", "member")])
                let againBody = String(buffer: again.body)
                #expect(again.status == .unprocessableContent && againBody.contains("already in this group"))
                #expect(againBody.contains("value=\"\(newcomer)\""), "what was typed is kept")
                let unknown = try await Self.submit(
                    client, chairBrowser, page: page, to: "\(page)/members", [("email", "nobody@example.org"), ("role", "member")])
                #expect(unknown.status == .unprocessableContent && String(buffer: unknown.body).contains("No member has this e-mail address"))
                let membership = try #require(
                    try await pool.query(
                        "SELECT m.id::text, m.role FROM memberships m JOIN members p ON p.id = m.member_id WHERE p.email = \(newcomer) AND m.working_group_id = \(f.group.id)"
                    ).first)
                #expect(try membership.decode("role", as: String.self) == "observer")
                let audited: Int64 = try #require(
                    try await pool.query("SELECT count(*) FROM audit_log WHERE action = 'membership.add' AND actor_id = \(chair.id)").first
                ).decode(at: 0)
                #expect(audited == 1)
                let id = try membership.decode(at: 0, as: String.self)
                let removed = try await Self.submit(client, chairBrowser, page: page, to: "\(page)/members/\(id)/end", [])
                #expect(removed.status == .seeOther)
                let current: Int64 = try #require(
                    try await pool.query(
                        "SELECT count(*) FROM memberships WHERE id = \(id)::uuid AND (ended_on IS NULL OR ended_on > current_date)"
                    ).first
                ).decode(at: 0)
                #expect(current == 0)

                let badCron = try await Self.submit(
                    client, chairBrowser, page: page, to: "\(page)/schedules",
                    [("suite", "nightly"), ("checkpoint", "newest"), ("cron", "every tuesday")])
                #expect(badCron.status == .unprocessableContent && String(buffer: badCron.body).contains("id=\"sched-cron-error\""))
                let schedule = try await Self.submit(
                    client, chairBrowser, page: page, to: "\(page)/schedules",
                    [("suite", "nightly"), ("checkpoint", "newest"), ("cron", "0 3 * * *")])
                #expect(schedule.status == .seeOther)
                let schedules: Int64 = try #require(
                    try await pool.query("SELECT count(*) FROM schedules WHERE working_group_id = \(f.group.id) AND cron = '0 3 * * *'").first
                ).decode(at: 0)
                #expect(schedules == 1)
            }
        }
    }

    @Test func membersRegisterUploadPublishAndRunFromThePages() async throws {
        try await self.withPasswords([.creator], evaluations: true) { f, pool in
            let plain = try #require(f.members[.creator])
            let page = "/groups/\(f.group.slug)"
            try await f.app().test(.router) { client async throws in
                var browser = Browser()
                _ = try await Self.signIn(client, &browser, email: plain.email.rawValue, password: Self.password)
                let badSlug = try await Self.submit(
                    client, browser, page: page, to: "\(page)/artifacts", [("kind", "checkpoint"), ("title", "Mine"), ("slug", "Not A Slug")])
                #expect(badSlug.status == .unprocessableContent && String(buffer: badSlug.body).contains("id=\"reg-slug-error\""))
                #expect(String(buffer: badSlug.body).contains("value=\"Mine\""))
                let registered = try await Self.submit(
                    client, browser, page: page, to: "\(page)/artifacts",
                    [("kind", "checkpoint"), ("title", "Web checkpoint"), ("slug", "web-ckpt"), ("version", "1"), ("description", "# Card")])
                #expect(registered.status == .seeOther)
                let artifactPage = try #require(registered.headers[.location])
                let artifactID = String(artifactPage.dropFirst("/artifacts/".count))

                // The upload form: multipart, the token before the file.
                let html = try await client.execute(uri: artifactPage, method: .get, headers: browser.headers) { String(buffer: $0.body) }
                let csrf = try #require(Self.token(in: html))
                func upload(_ token: String, path: String, bytes: [UInt8]) async throws -> TestResponse {
                    let boundary = "----consortium-test-boundary"
                    var body = ByteBuffer()
                    body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(token)\r\n")
                    body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n\(path)\r\n")
                    body.writeString(
                        "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"weights.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    body.writeBytes(bytes)
                    body.writeString("\r\n--\(boundary)--\r\n")
                    var headers = browser.headers
                    headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
                    return try await client.execute(uri: "\(artifactPage)/files", method: .post, headers: headers, body: body) { $0 }
                }
                let bytes = (0..<70_000).map { UInt8($0 % 251) }
                let forged = try await upload("forged", path: "", bytes: bytes)
                #expect(forged.status == .forbidden)
                let traversal = try await upload(csrf, path: "../escape", bytes: bytes)
                #expect(traversal.status == .unprocessableContent)
                let empty = try await upload(csrf, path: "", bytes: [])
                #expect(empty.status == .unprocessableContent && String(buffer: empty.body).contains("not empty"))
                let files: Int64 = try #require(
                    try await pool.query("SELECT count(*) FROM artifact_files WHERE artifact_id = \(artifactID)::uuid").first
                ).decode(at: 0)
                #expect(files == 0, "refused uploads leave nothing")
                let stored = try await upload(csrf, path: "", bytes: bytes)
                #expect(stored.status == .seeOther)
                let file = try #require(
                    try await pool.query("SELECT path, sha256, size_bytes FROM artifact_files WHERE artifact_id = \(artifactID)::uuid").first)
                #expect(try file.decode("path", as: String.self) == "weights.bin", "the file's own name when no path is typed")
                #expect(try file.decode("sha256", as: String.self) == SHA256.hex(of: Data(bytes)))
                #expect(try file.decode("size_bytes", as: Int64.self) == Int64(bytes.count))

                let published = try await Self.submit(client, browser, page: artifactPage, to: "\(artifactPage)/publish", [])
                #expect(published.status == .seeOther)
                let badReserve = try await Self.submit(
                    client, browser, page: artifactPage, to: "\(artifactPage)/runs", [("suite", "nightly"), ("reserve", "-3")])
                #expect(badReserve.status == .unprocessableContent && String(buffer: badReserve.body).contains("id=\"run-reserve-error\""))
                let run = try await Self.submit(
                    client, browser, page: artifactPage, to: "\(artifactPage)/runs", [("suite", "nightly"), ("reserve", "0.5")])
                #expect(run.status == .seeOther)
                let runPage = try #require(run.headers[.location])
                let queued: String = try #require(
                    try await pool.query(
                        "SELECT status FROM runs WHERE id = \(String(runPage.dropFirst("/runs/".count)))::uuid AND requested_by = \(plain.id)"
                    ).first
                ).decode(at: 0)
                #expect(queued == "queued")
                let shown = try await client.execute(uri: runPage, method: .get, headers: browser.headers) { String(buffer: $0.body) }
                #expect(shown.contains("http-equiv=\"refresh\""), "a queued run's page reloads itself")
            }
        }
    }
}
