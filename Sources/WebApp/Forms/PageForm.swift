import Foundation
import Hummingbird
import Store

/// A submitted HTML form (`application/x-www-form-urlencoded`), read after checking it carries the session's
/// anti-forgery token: a page on another site can make a browser post here, but cannot read that token.
struct PageForm: Sendable {
    /// Room for a 100,000-character model card, percent-encoded (up to 3 bytes a character, more for non-ASCII).
    static let maxBytes = 1024 * 1024
    let fields: [String: String]

    /// The value of `name`, trimmed; empty when absent.
    subscript(_ name: String) -> String { (self.fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

    /// The raw value of `name` (passwords are not trimmed).
    func raw(_ name: String) -> String { self.fields[name] ?? "" }

    /// Reads the form of a signed-in browser: 401 without a session, 403 when the token is missing or wrong.
    static func signedIn(_ request: Request, context: AppRequestContext) async throws -> (PageForm, TokenStore.Identity) {
        guard let identity = context.identity, let expected = context.csrfToken else {
            throw Problem(status: .unauthorized, type: "unauthenticated", title: "Sign in first", detail: "Sign in to do this.")
        }
        let form = try await Self.read(request)
        guard Self.constantTimeEqual(form.raw("csrf"), expected) else { throw Self.forged }
        return (form, identity)
    }

    /// Reads a form without checking the anti-forgery token (the sign-in form checks its own).
    static func read(_ request: Request) async throws -> PageForm {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw Problem(
                status: .unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported form",
                detail: "This form is sent as application/x-www-form-urlencoded.")
        }
        let buffer = try await request.body.collect(upTo: Self.maxBytes)
        return PageForm(fields: Self.decode(String(buffer: buffer)))
    }

    /// Decodes `a=1&b=x+y`; a repeated name keeps its first value, invalid percent-escapes are kept literally.
    static func decode(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func text(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = text(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? text(parts[1]) : "" }
        }
        return fields
    }

    static let forged = Problem(
        status: .forbidden, type: "csrf", title: "Form rejected",
        detail: "This form did not come from your current session (it may have expired, or been sent by another site). Reload the page and try again."
    )

    /// Compares without stopping at the first difference, so response times do not reveal how much of a token matched.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count, !x.isEmpty else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
