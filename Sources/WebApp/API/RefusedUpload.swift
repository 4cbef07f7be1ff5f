import Hummingbird

/// Answers to uploads refused before their body is read (no token, no such artifact, not a draft, too large).
///
/// Behind nginx with `proxy_request_buffering off`, an answer sent while nginx is still streaming the body races
/// it: now and then nginx resets the client's HTTP/2 stream (INTERNAL_ERROR) instead of passing the answer on (seen
/// about once in 20 anonymous 3 MiB PUTs). Reading a small body to its end first puts the answer after it, as Go's
/// `net/http` reads up to 256 KiB of an unread body before answering. A large one is not read in vain: it is
/// refused at once and left to that race.
enum RefusedUpload {
    /// Largest declared body read to its end before a refusal.
    static let drainLimit = 16 << 20

    /// Runs `checks`; if they throw, reads the request body to its end first when it declares at most ``drainLimit``
    /// bytes, then rethrows.
    static func refusingEarly<T>(_ request: Request, _ checks: () async throws -> T) async throws -> T {
        do {
            return try await checks()
        } catch {
            if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared <= drainLimit {
                var read = 0
                // A failure while reading changes nothing: the refusal is the answer either way.
                do {
                    for try await buffer in request.body {
                        read += buffer.readableBytes
                        if read > drainLimit { break }
                    }
                } catch {}
            }
            throw error
        }
    }
}
