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
    /// Folder for the server's own files; artifact contents live in `artifacts/` under it (default `.data`).
    public var dataDirectory: URL
    /// Largest JSON request body, in bytes (default 256 KiB).
    public var maxBodyBytes: Int
    /// Largest artifact file upload, in bytes (default 16 GiB).
    public var maxUploadBytes: Int64
    /// Seconds a public API read may be served again from memory, forgotten sooner on any change (default 0: never kept).
    public var publicCacheSeconds: Int

    /// Creates a configuration with the defaults above.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, webDirectory: URL = URL(fileURLWithPath: "Web"),
        schemaDirectory: URL = URL(fileURLWithPath: "Schema"), dataDirectory: URL = URL(fileURLWithPath: ".data"),
        maxBodyBytes: Int = 256 * 1024, maxUploadBytes: Int64 = 16 << 30, publicCacheSeconds: Int = 0
    ) {
        self.host = host
        self.port = port
        self.webDirectory = webDirectory
        self.schemaDirectory = schemaDirectory
        self.dataDirectory = dataDirectory
        self.maxBodyBytes = maxBodyBytes
        self.maxUploadBytes = maxUploadBytes
        self.publicCacheSeconds = publicCacheSeconds
    }
}
