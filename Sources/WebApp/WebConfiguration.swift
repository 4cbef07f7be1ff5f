public import Foundation

/// Where the web server listens and where it finds its runtime folders.
public struct WebConfiguration: Sendable {
    /// Host to bind (default `127.0.0.1`).
    public var host: String
    /// Port to bind (default `8080`).
    public var port: Int
    /// Folder holding `templates/` and `static/` (default `Web`).
    public var webDirectory: URL
    /// Folder holding `migrations/` (default `Schema`).
    public var schemaDirectory: URL

    /// Creates a configuration with the defaults above.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, webDirectory: URL = URL(fileURLWithPath: "Web"),
        schemaDirectory: URL = URL(fileURLWithPath: "Schema")
    ) {
        self.host = host
        self.port = port
        self.webDirectory = webDirectory
        self.schemaDirectory = schemaDirectory
    }
}
