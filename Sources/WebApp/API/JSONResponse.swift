import Database
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// JSON out: snake_case keys, ISO-8601 dates, sorted keys (so equal data gives equal bytes), and a strong ETag
/// of those bytes, answered with 304 when the client already has them.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The strong ETag of an encoded representation.
    static func etag(of data: Data) -> String { "\"\(SHA256.hex(of: data).prefix(32))\"" }

    /// The strong ETag `make` gives `value`.
    static func etag(of value: some Encodable) throws -> String { Self.etag(of: try encoder.encode(value)) }

    /// Whether an `If-Match`/`If-None-Match` header value names `etag` (strong comparison; `*` matches any version).
    static func header(_ header: String, names etag: String) -> Bool {
        header.trimmingCharacters(in: .whitespaces) == "*"
            || header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains(etag)
    }

    /// `If-Match` as a check that the store runs with the record locked: the representation the client read must still be
    /// the current one, or nothing changes and the client gets 412.
    static func precondition<Record>(
        _ request: Request, what: String, etag: @escaping @Sendable (Record) throws -> String
    ) -> (@Sendable (Record) throws -> Void)? {
        guard let header = request.headers[.ifMatch] else { return nil }
        return { record in
            let current = try etag(record)
            guard Self.header(header, names: current) else {
                throw StoreError.preconditionFailed("the \(what) changed since it was read (now \(current)); fetch it again and retry")
            }
        }
    }

    static func make(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, request: Request, extraHeaders: HTTPFields = [:]
    ) throws -> Response {
        let data = try encoder.encode(value)
        return Self.respond(body: ByteBuffer(bytes: data), etag: Self.etag(of: data), status: status, request: request, extraHeaders: extraHeaders)
    }

    /// A public read (the same representation for every caller in `audience`): the bytes `cache` kept for this URL when
    /// it may serve them, else `produce`'s value, encoded and kept when the cache allows. Without a cache, `make`.
    static func publicRead<Value: Encodable>(
        _ request: Request, cache: PublicResponseCache?, audience: String = "public",
        _ produce: () async throws -> (value: Value, headers: HTTPFields)
    ) async throws -> Response {
        guard let cache else {
            let (value, headers) = try await produce()
            return try Self.make(value, request: request, extraHeaders: headers)
        }
        let key = "\(audience) \(request.uri.path)?\(request.uri.query ?? "")"
        let (kept, ticket) = cache.lookup(key)
        let readAt = ContinuousClock.now  // an entry's age counts from before its data was read
        if let kept {
            // RFC 9111's Age: this answer came from a cache, stored that many seconds ago.
            var headers = kept.headers
            headers[.age] = String((ContinuousClock.now - kept.storedAt).components.seconds)
            return Self.respond(body: kept.body, etag: kept.etag, request: request, extraHeaders: headers)
        }
        // What will be kept is read from the primary, not a replica: the announcement that ends an entry comes from the
        // primary, and a replica that has not yet replayed the change would have the new entry keep the old data for
        // its whole age. What will not be kept (the cache is not following) goes where the request's reads go.
        let (value, headers) =
            ticket == nil ? try await produce() : try await Store.$readingFromReplica.withValue(false) { try await produce() }
        let data = try encoder.encode(value)
        let body = ByteBuffer(bytes: data)
        let etag = Self.etag(of: data)
        if let ticket {
            cache.store(.init(body: body, etag: etag, headers: headers, storedAt: readAt), for: key, ticket: ticket)
        }
        return Self.respond(body: body, etag: etag, request: request, extraHeaders: headers)
    }

    private static func respond(
        body: ByteBuffer, etag: String, status: HTTPResponse.Status = .ok, request: Request, extraHeaders: HTTPFields
    ) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .eTag: etag, .cacheControl: "no-cache"]
        headers.append(contentsOf: extraHeaders)
        if request.method == .get, status == .ok, let match = request.headers[.ifNoneMatch], Self.header(match, names: etag) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

/// The body of every list endpoint: one page of items and the URL of the next page (nil on the last).
struct ListDTO<Item: Encodable>: Encodable {
    let items: [Item]
    let next: String?
}

/// `limit` and `cursor` of list endpoints; the cursor is the last item's sort key, base64url-encoded.
struct Page {
    let limit: Int
    let after: String?

    init(request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query["limit"] {
            guard let limit = Int(String(text)), (1...200).contains(limit) else {
                throw Problem.invalid(field: "limit", "must be a whole number from 1 to 200")
            }
            self.limit = limit
        } else {
            self.limit = 50
        }
        if let cursor = query["cursor"] {
            var base64 = String(cursor).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            guard let data = Data(base64Encoded: base64), let key = String(data: data, encoding: .utf8) else {
                throw Problem.invalid(field: "cursor", "is not a cursor this API gave out")
            }
            self.after = key
        } else {
            self.after = nil
        }
    }

    /// The cursor as the id of the last item seen (lists ordered by id).
    func afterID<Entity>(_: Entity.Type = Entity.self) throws -> Identifier<Entity>? {
        try self.after.map { text in
            guard let id = Identifier<Entity>(text) else { throw Problem.invalid(field: "cursor", "is not a cursor this API gave out") }
            return id
        }
    }

    /// The cursor as `position:id` (lists ordered newest first by a timestamp in microseconds, then id).
    func afterPosition<Entity>(_: Entity.Type = Entity.self) throws -> (position: Int64, id: Identifier<Entity>)? {
        try self.after.map { key in
            let parts = key.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let position = Int64(parts[0]), let id = Identifier<Entity>(String(parts[1])) else {
                throw Problem.invalid(field: "cursor", "is not a cursor this API gave out")
            }
            return (position, id)
        }
    }

    static func cursor(for key: String) -> String {
        Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A query parameter that must be one of an enumeration's raw values, or nil when absent.
    static func choice<E: RawRepresentable & CaseIterable>(_ request: Request, _ name: String, as _: E.Type = E.self) throws -> E?
    where E.RawValue == String {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        return try Self.choice(String(text), field: name, as: E.self)
    }

    /// `text` as one of an enumeration's raw values; a 422 naming `field` and the choices otherwise.
    static func choice<E: RawRepresentable & CaseIterable>(_ text: String, field: String, as _: E.Type = E.self) throws -> E
    where E.RawValue == String {
        guard let value = E(rawValue: text) else {
            throw Problem.invalid(field: field, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// `base` with the list's filters as a query, so that `next` links keep filtering.
    static func path(_ base: String, filters: [(String, String?)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let query = filters.compactMap { name, value in value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" } }
        return query.isEmpty ? base : base + "?" + query.joined(separator: "&")
    }

    /// The `next` URL (nil on the last page) and a matching `Link` header.
    func next(path: String, lastKey: String?, count: Int) -> (url: String?, headers: HTTPFields) {
        guard count == self.limit, let lastKey else { return (nil, [:]) }
        let url = "\(path)\(path.contains("?") ? "&" : "?")limit=\(self.limit)&cursor=\(Self.cursor(for: lastKey))"
        return (url, [HTTPField.Name("Link")!: "<\(url)>; rel=\"next\""])
    }
}
