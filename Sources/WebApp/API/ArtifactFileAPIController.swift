import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// `/api/v1/artifacts/{id}/files/{path}`: uploads streamed into the content store (SHA-256 computed on the way, an
/// announced `Content-Digest` enforced), downloads with ranges, ETag = the SHA-256.
struct ArtifactFileAPIController: Sendable {
    let store: Store
    let content: any ContentStore
    let maxUploadBytes: Int64

    static let contentDigest = HTTPField.Name("Content-Digest")!

    func addRoutes(to router: Router<AppRequestContext>) {
        let artifacts = router.group("/api/v1/artifacts")
        artifacts.get("{id}/files") { request, context in
            let listing = try await ArtifactAccess.visible(context, store: self.store)
            let files = try await self.store.artifacts.files(of: listing.artifact.id)
            return try JSONResponse.make(ListDTO(items: files.map(ArtifactDTO.FileDTO.init), next: nil), request: request)
        }
        artifacts.get("{id}/files/**") { request, context in try await self.download(request, context: context) }
        // Download tools ask for size and ETag first (HEAD), then fetch or resume with ranges.
        artifacts.head("{id}/files/**") { request, context in try await self.download(request, context: context) }
        artifacts.put("{id}/files/**") { request, context in try await self.upload(request, context: context) }
        artifacts.delete("{id}/files/**") { request, context in
            let identity = try context.requireWriter()
            let path = try Self.path(context)
            let listing = try await ArtifactAccess.visible(context, store: self.store)
            try ArtifactAccess.requireManage(identity, listing)
            try await self.store.artifacts.deleteFile(
                listing.artifact.id, path: path, precondition: Self.precondition(request), actor: identity.actor)
            return Response(status: .noContent)
        }
    }

    /// The file path from the URL: percent-decoded, then held to the same rules as the database's.
    static func path(_ context: AppRequestContext) throws -> String {
        let raw = context.parameters.get(String(Parameters.recursiveCaptureKey)) ?? ""
        guard let decoded = raw.removingPercentEncoding else { throw Problem.invalid(field: "path", "is not valid percent-encoded UTF-8") }
        try ArtifactFile.validate(path: decoded)
        return decoded
    }

    static func etag(_ sha256: String) -> String { "\"\(sha256)\"" }

    /// `If-Match` (the file must currently have that digest; `*`: must exist) and `If-None-Match: *` (must not exist).
    static func precondition(_ request: Request) -> ArtifactStore.FilePrecondition? {
        let ifMatch = request.headers[.ifMatch]
        let ifNoneMatch = request.headers[.ifNoneMatch]
        guard ifMatch != nil || ifNoneMatch != nil else { return nil }
        return { current in
            if let ifMatch {
                guard let current, JSONResponse.header(ifMatch, names: Self.etag(current.sha256)) else {
                    throw StoreError.preconditionFailed("the file changed since it was read (If-Match \(ifMatch))")
                }
            }
            if let ifNoneMatch, ifNoneMatch.trimmingCharacters(in: .whitespaces) == "*", current != nil {
                throw StoreError.preconditionFailed("a file already exists at this path (If-None-Match: *)")
            }
        }
    }

    /// The SHA-256 a client announced in `Content-Digest: sha-256=:BASE64:` (RFC 9530), as lowercase hex.
    static func announcedDigest(_ request: Request) throws -> String? {
        guard let header = request.headers[Self.contentDigest] else { return nil }
        for member in header.split(separator: ",") {
            let parts = member.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "sha-256" else { continue }
            let value = parts[1]
            guard value.count > 2, value.first == ":", value.last == ":",
                let data = Data(base64Encoded: String(value.dropFirst().dropLast())), data.count == 32
            else {
                throw Problem.invalid(field: "Content-Digest", "sha-256 must be a base64 byte sequence of 32 bytes, as in sha-256=:…=:")
            }
            return data.map { String(format: "%02x", $0) }.joined()
        }
        return nil  // only algorithms we do not check (RFC 9530 lets a recipient ignore them)
    }

    /// A media type the client named, or one guessed from the extension.
    static func mediaType(_ request: Request, path: String) -> String {
        if let given = request.headers[.contentType], given.utf8.count <= 100,
            given.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*(\s*;\s*[A-Za-z0-9_\-]+=[A-Za-z0-9_.\-"]+)*/)
                != nil
        {
            return given
        }
        return Self.mediaType(for: path)
    }

    /// The media type a file's extension suggests.
    static func mediaType(for path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "json": return "application/json"
        case "jsonl": return "application/jsonl"
        case "md": return "text/markdown; charset=utf-8"
        case "txt": return "text/plain; charset=utf-8"
        case "csv": return "text/csv; charset=utf-8"
        case "pdf": return "application/pdf"
        default: return "application/octet-stream"
        }
    }

    private func upload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireWriter()
        let path = try Self.path(context)
        let listing = try await ArtifactAccess.visible(context, store: self.store)
        try ArtifactAccess.requireManage(identity, listing)
        // Refuse before reading a byte: the transaction checks again, but a client should not upload gigabytes in vain.
        guard listing.artifact.status == .draft else {
            throw StoreError.conflict(
                "artifact \(listing.artifact.slug) version \(listing.artifact.version) is \(listing.artifact.status.rawValue); publish a new version instead"
            )
        }
        let expected = try Self.announcedDigest(request)
        if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared > self.maxUploadBytes {
            throw Self.tooLarge(self.maxUploadBytes)
        }
        let upload = try await self.content.beginUpload()
        let stored: StoredContent
        do {
            for try await buffer in request.body {
                guard upload.size + Int64(buffer.readableBytes) <= self.maxUploadBytes else { throw Self.tooLarge(self.maxUploadBytes) }
                try await upload.write(Array(buffer.readableBytesView))
            }
            stored = try await upload.commit(expectedSHA256: expected)
        } catch {
            await upload.abort()
            throw error
        }
        let (file, created) = try await self.store.artifacts.putFile(
            listing.artifact.id, path: path, content: stored, mediaType: Self.mediaType(request, path: path),
            precondition: Self.precondition(request), actor: identity.actor)
        let dto = ArtifactDTO.FileDTO(file)
        var response = try JSONResponse.make(
            dto, status: created ? .created : .ok, request: request, extraHeaders: created ? [.location: dto.url] : [:])
        response.headers[.eTag] = Self.etag(file.sha256)
        return response
    }

    private func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let path = try Self.path(context)
        let listing = try await ArtifactAccess.visible(context, store: self.store)
        guard let file = try await self.store.artifacts.file(of: listing.artifact.id, path: path) else {
            throw Problem.notFound("artifact \(listing.artifact.slug) has no file '\(path)'")
        }
        let etag = Self.etag(file.sha256)
        var headers: HTTPFields = [
            .eTag: etag, .acceptRanges: "bytes", .contentType: file.mediaType,
            // Files are whatever members uploaded: never let a browser run them in the API's origin.
            .contentDisposition: "attachment; filename=\"\(Self.safeFilename(path))\"",
            .xContentTypeOptions: "nosniff", .contentSecurityPolicy: "sandbox; default-src 'none'",
            .cacheControl: listing.artifact.status == .draft ? "private, no-cache" : "public, max-age=31536000, immutable",
        ]
        if let match = request.headers[.ifNoneMatch], JSONResponse.header(match, names: etag) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        // If-Range: a range is only served if the client's copy is the current one.
        let rangeHeader = request.headers[.ifRange].map { $0 == etag } ?? true ? request.headers[.range] : nil
        let range: Range<Int64>
        switch ByteRange(header: rangeHeader, length: file.sizeBytes) {
        case .whole:
            range = 0..<file.sizeBytes
        case .part(let part):
            range = part
            headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(file.sizeBytes)"
        case .unsatisfiable:
            throw Problem(
                status: .rangeNotSatisfiable, type: "range-not-satisfiable", title: "Range Not Satisfiable",
                detail: "The file has \(file.sizeBytes) bytes; the requested range lies outside them.")
        }
        headers[.contentLength] = String(range.count)
        if request.method == .head {
            return Response(status: headers[.contentRange] == nil ? .ok : .partialContent, headers: headers)
        }
        let content = self.content
        let sha256 = file.sha256
        return Response(
            status: headers[.contentRange] == nil ? .ok : .partialContent, headers: headers,
            body: ResponseBody(contentLength: Int(range.count)) { writer in
                try await content.read(sha256, range: range, chunkSize: 256 * 1024) { chunk in
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
    }

    private static func safeFilename(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? "file"
        return String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" })
    }

    private static func tooLarge(_ limit: Int64) -> Problem {
        Problem(
            status: .contentTooLarge, type: "upload-too-large", title: "Content Too Large",
            detail: "An artifact file may be at most \(limit) bytes on this server.")
    }
}
