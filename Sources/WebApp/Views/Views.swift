import Database
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
        // Registered before any template is parsed: each names it in its first line (`{{% CONTENT_TYPE: HTML_SCALARS}}`).
        MustacheContentTypes.register(ScalarHTMLContentType(), named: ScalarHTMLContentType.name)
        self.library = try await MustacheLibrary(directory: directory)
        for name in Self.required where self.library.getTemplate(named: name) == nil {
            throw WebAppError("web template \(name).mustache is missing from \(directory)")
        }
        // A template without the pragma would fall back to the library's weaker escaper, so it stops the server instead.
        let pragma = "{{% CONTENT_TYPE: \(ScalarHTMLContentType.name)}}"
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            guard text.hasPrefix(pragma) else { throw WebAppError("web template \(file) must start with \(pragma)") }
        }
    }

    /// Renders a page model with its template, on a Dispatch thread: a large page is tens of milliseconds of CPU (far
    /// more in a debug build), which would hold up everything else waiting for the cooperative pool's few threads.
    func render(_ page: some Sendable, template: String) async -> HTML {
        await OffPool.run { self.renderNow(page, template: template) }
    }

    /// Renders on the calling thread (error pages, which are small).
    func renderNow(_ page: some Sendable, template: String) -> HTML {
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
        /// The request id, for a person to quote when reporting the error.
        let reference: String?
    }

    /// A problem as a page for people, with the problem's status.
    func errorPage(_ problem: Problem, requestID: String? = nil) -> Response {
        let page = ErrorPage(
            chrome: Chrome(title: problem.title, section: nil), status: Int(problem.status.code), heading: problem.title, message: problem.detail,
            signIn: problem.status == .unauthorized, reference: requestID)
        let html = self.renderNow(page, template: "error")
        var headers = problem.headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "private, no-cache"
        return Response(
            status: problem.status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: html.body)))
    }
}

/// HTML escaping scalar by scalar. The library's own escaper compares whole characters, and a quote followed by a
/// combining mark is one character that is not a quote: it would pass unescaped and end an attribute early.
struct ScalarHTMLContentType: MustacheContentType {
    static let name = "HTML_SCALARS"

    func escapeText(_ text: String) -> String { Escape.html(text) }
}

/// A start-up problem of the web layer, with a one-line description.
public struct WebAppError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
