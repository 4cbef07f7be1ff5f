import Foundation
import Hummingbird
import Mustache

/// The page templates, loaded once at start-up; a missing template stops the server before it listens.
struct Views: Sendable {
    static let required = [
        "home", "groups", "group", "members", "member", "institutions", "institution", "artifacts", "artifact", "run", "error", "head", "foot",
        "artifact-rows", "run-rows", "person-rows", "sign-in",
    ]

    private let library: MustacheLibrary

    /// Loads `templates/` under the web folder.
    ///
    /// - Throws: `WebAppError` naming the folder or the first missing template.
    init(webDirectory: URL) async throws {
        let directory = webDirectory.appendingPathComponent("templates").path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw WebAppError("web templates folder \(directory) does not exist (run from the repository root or pass --web-dir)")
        }
        self.library = try await MustacheLibrary(directory: directory)
        for name in Self.required where self.library.getTemplate(named: name) == nil {
            throw WebAppError("web template \(name).mustache is missing from \(directory)")
        }
    }

    /// Renders a page model with its template.
    func render(_ page: some Sendable, template: String) -> HTML {
        // Every required template was checked at start-up, so a nil here means a name outside `required`.
        HTML(
            body: self.library.render(TemplateContext.tree(page) ?? [String: Any](), withTemplate: template)
                ?? "<!doctype html><title>Missing template \(template)</title>")
    }
}

extension Views {
    /// What an error page shows.
    struct ErrorPage: Sendable {
        let chrome: Chrome
        let status: Int
        let heading: String
        let message: String
        /// A 401 offers the sign-in page (a form sent after the session ended, say).
        let signIn: Bool
    }

    /// A problem as a page for people, with the problem's status.
    func errorPage(_ problem: Problem) -> Response {
        let page = ErrorPage(
            chrome: Chrome(title: problem.title, section: nil), status: Int(problem.status.code), heading: problem.title, message: problem.detail,
            signIn: problem.status == .unauthorized)
        let html = self.render(page, template: "error")
        return Response(
            status: problem.status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: html.body)))
    }
}

/// A start-up problem of the web layer, with a one-line description.
public struct WebAppError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
