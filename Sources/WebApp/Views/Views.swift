import Foundation
import Mustache

/// The page templates, loaded once at start-up; a missing template stops the server before it listens.
struct Views: Sendable {
    static let required = ["landing", "error"]

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
        HTML(body: self.library.render(page, withTemplate: template) ?? "<!doctype html><title>Missing template \(template)</title>")
    }
}

/// A start-up problem of the web layer, with a one-line description.
public struct WebAppError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
