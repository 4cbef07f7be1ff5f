import Domain
import Foundation
import Hummingbird
import Store

/// Who is looking at a page, as the pages need it: what they may see and what the frame shows.
struct PageViewer: Sendable {
    let artifacts: ArtifactStore.Viewer
    /// E-mail addresses are for signed-in members only (the API's rule too).
    let showEmail: Bool
    let chrome: Chrome.Viewer?

    init(_ context: AppRequestContext) {
        self.artifacts = ArtifactAccess.viewer(context)
        self.showEmail = context.identity != nil
        self.chrome = context.identity.map { identity in
            Chrome.Viewer(name: identity.member.name, memberID: identity.member.id.description, csrfToken: context.csrfToken ?? "")
        }
    }

    func chrome(_ title: String, _ section: Chrome.Section?, refreshSeconds: Int? = nil) -> Chrome {
        Chrome(title: title, section: section, viewer: self.chrome, refreshSeconds: refreshSeconds)
    }
}

extension Request {
    /// A query parameter trimmed and without control characters (PostgreSQL refuses NUL in text), empty when absent;
    /// overlong values are cut rather than refused, as a search box should.
    func text(_ name: String, maxLength: Int = 200) -> String {
        // Decoded as a form, so the `+` a browser sends for a space is a space (the query parameters keep it).
        let raw = PageForm.decode(self.uri.query ?? "")[name] ?? ""
        let clean = String(String.UnicodeScalarView(raw.unicodeScalars.filter { $0.properties.generalCategory != .control }))
        return String(clean.trimmingCharacters(in: .whitespacesAndNewlines).prefix(maxLength))
    }
}

/// A link to a page with query parameters, every value percent-encoded (a `+` too, which would read as a space).
func pageLink(_ path: String, _ items: [(String, String)]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    let query = items.filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
    return query.isEmpty ? path : path + "?" + query.joined(separator: "&")
}
