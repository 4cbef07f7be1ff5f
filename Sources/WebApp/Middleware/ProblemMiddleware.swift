import Database
import Domain
import Foundation
import Hummingbird
import Logging
import Store

/// Turns every error into a problem+json response: client mistakes keep their status, a database that is
/// down is a 503, and anything else a 500 whose detail hides internals (the log keeps them).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Renders problems for people (pages) as HTML; nil renders everything as problem+json.
    let pages: Views?

    init(pages: Views? = nil) { self.pages = pages }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let problem: Problem
        do {
            return try await next(request, context)
        } catch {
            problem = Self.problem(for: error, request: request, context: context)
        }
        if let pages, Self.wantsHTML(request) { return pages.errorPage(problem, requestID: context.id) }
        return problem.response(requestID: context.id)
    }

    /// What a client is told to wait when the database is away: long enough not to hammer a restarting server, short
    /// enough that a restart (seconds) is barely noticed.
    static var databaseRetrySeconds: String { "2" }

    /// A page request: not the API or a static file, from a client that asks for HTML (a browser does; curl does not).
    static func wantsHTML(_ request: Request) -> Bool {
        let first = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).first ?? ""
        guard !["api", "static", "healthz", "readyz"].contains(first) else { return false }
        return request.headers[.accept]?.contains("text/html") == true
    }

    /// The problem an error amounts to; client mistakes keep their status, internals stay in the log.
    static func problem(for error: any Error, request: Request, context: Context) -> Problem {
        do {
            throw error
        } catch let problem as Problem {
            return problem
        } catch let error as HTTPError {
            let title = error.status.reasonPhrase
            return Problem(
                status: error.status, type: title.lowercased().replacingOccurrences(of: " ", with: "-"), title: title, detail: error.body ?? title
            )
        } catch let error as any HTTPResponseError {
            // Hummingbird's own errors (a body over the limit, say) keep their status, as a problem document.
            let title = error.status.reasonPhrase
            let detail =
                error.status == .contentTooLarge ? "The request body is larger than this server accepts (\(context.maxUploadSize) bytes)." : title
            return Problem(
                status: error.status, type: title.lowercased().replacingOccurrences(of: " ", with: "-"), title: title, detail: detail
            )
        } catch let error as DomainValidationError {
            return Problem.invalid(field: error.field, error.message)
        } catch let error as AccountingError {
            let status: HTTPResponse.Status = error.description.hasPrefix("no ") ? .notFound : .conflict
            return Problem(
                status: status, type: status == .notFound ? "not-found" : "accounting-conflict", title: status.reasonPhrase, detail: error.description
            )

        } catch let error as StoreError where error.isNotFound {
            return Problem.notFound(error.description)
        } catch let error as StoreError where error.isConflict {
            return Problem(status: .conflict, type: "conflict", title: "Conflict", detail: error.description)
        } catch let error as StoreError where error.isPreconditionFailed {
            return Problem(status: .preconditionFailed, type: "precondition-failed", title: "Precondition Failed", detail: error.description)

        } catch ContentStoreError.digestMismatch(let expected, let actual) {
            return Problem(
                status: .badRequest, type: "digest-mismatch", title: "Digest mismatch",
                detail: "The uploaded content's SHA-256 is \(actual), not \(expected) as Content-Digest announced; nothing was stored."
            )
        } catch ContentStoreError.io(let operation, let errno) where errno == ENOSPC || errno == EDQUOT {
            // The store's disk is full: the upload was dropped whole (nothing partial is kept); the client may retry later.
            context.logger.error("artifact store full", metadata: ["operation": "\(operation)", "path": "\(request.uri.path)"])
            return Problem(
                status: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), type: "insufficient-storage",
                title: "Insufficient Storage",
                detail: "The artifact store has no space left for this upload; nothing was stored. Try again later or tell an administrator.",
                headers: [.retryAfter: "300"])
        } catch let error as DatabaseError where error.sqlState?.hasPrefix("22") == true {
            // A data exception (a number out of range, say) comes from a value the client sent that slipped past validation.
            context.logger.warning("data exception from client input", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return Problem(
                status: .unprocessableContent, type: "validation", title: "Invalid request",
                detail: "A value in the request is out of the range the database stores."
            )
        } catch let error as DatabaseError where error.sqlState == "40001" || error.sqlState == "40P01" {
            // A serialization failure, a deadlock, or a replica cancelling a read that conflicts with replay: transient,
            // nothing was written, and the same request shortly after succeeds.
            context.logger.warning("transient database conflict", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return Problem(
                status: .serviceUnavailable, type: "database-conflict", title: "Service Unavailable",
                detail: "The database cancelled this request because of a conflicting one; nothing was changed. Retry it.",
                headers: [.retryAfter: "1"])
        } catch let error as DatabaseError where error.isConnectionLost {
            context.logger.error("database unavailable", metadata: ["error": "\(error)"])
            return Problem(
                status: .serviceUnavailable, type: "database-unavailable", title: "Service Unavailable",
                detail: "The database is not reachable; try again shortly.", headers: [.retryAfter: Self.databaseRetrySeconds]
            )
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return Problem(
                status: .internalServerError, type: "internal", title: "Internal Server Error", detail: "The server failed to handle this request."
            )
        }
    }
}
