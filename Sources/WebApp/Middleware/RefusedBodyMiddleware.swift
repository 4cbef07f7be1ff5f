import Hummingbird
import Synchronization

/// Refusals of requests whose body nobody read (no token or a bad one, an unknown or published artifact, a declared
/// size over the limit): the body, up to 16 MiB, is read to its end before the refusal goes out.
///
/// Behind nginx's unbuffered upload routes (`proxy_request_buffering off`), an answer sent while nginx is still
/// streaming the body races it: now and then nginx resets the client's HTTP/2 stream (INTERNAL_ERROR) instead of
/// passing the answer on (7 of 150 anonymous 3 MiB PUTs here). Reading a small body first puts the answer after it,
/// as Go's `net/http` reads up to 256 KiB of an unread body. A larger one is not read in vain: its refusal goes out
/// at once and is left to that race. Bodies a handler began reading are its own business.
struct RefusedBodyMiddleware: RouterMiddleware {
    /// Most bytes read from a refused body before answering.
    static let drainLimit = 16 << 20

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response
    {
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        // Without a Content-Length, HTTP/1.1 carries a body only when chunked.
        let hasBody = declared.map { $0 > 0 } ?? (request.headers[.transferEncoding] != nil)
        guard hasBody, (declared ?? 0) <= Self.drainLimit else { return try await next(request, context) }
        let body = TrackedBody(request.body)
        var request = request
        request.body = RequestBody(asyncSequence: body)
        do {
            let response = try await next(request, context)
            if response.status.code >= 400 { await body.drainIfUnread(limit: Self.drainLimit) }
            return response
        } catch {
            await body.drainIfUnread(limit: Self.drainLimit)
            throw error
        }
    }
}

/// A request body that remembers whether anyone began reading it, so that it is read at most once.
private struct TrackedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    private final class Flag: Sendable {
        let started = Mutex(false)
        /// Marks the body as being read; true if it was not before.
        func start() -> Bool {
            started.withLock { wasStarted in
                defer { wasStarted = true }; return !wasStarted
            }
        }
    }

    private let base: RequestBody
    private let flag = Flag()

    init(_ base: RequestBody) { self.base = base }

    func makeAsyncIterator() -> RequestBody.AsyncIterator {
        _ = flag.start()
        return base.makeAsyncIterator()
    }

    /// Reads and drops the body, up to `limit` bytes, unless a handler began reading it. A failure while reading
    /// changes nothing: the refusal is the answer either way.
    func drainIfUnread(limit: Int) async {
        guard flag.start() else { return }
        var read = 0
        var iterator = base.makeAsyncIterator()
        do {
            while let buffer = try await iterator.next() {
                read += buffer.readableBytes
                if read > limit { return }
            }
        } catch {}
    }
}
