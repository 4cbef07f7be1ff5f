import Database
import Domain
import Foundation
import Hummingbird
import Logging
import Store

/// Turns every error into a problem+json response: client mistakes keep their status, a database that is
/// down is a 503, and anything else a 500 whose detail hides internals (the log keeps them).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response()
        } catch let error as HTTPError {
            let title = error.status.reasonPhrase
            return Problem(
                status: error.status, type: title.lowercased().replacingOccurrences(of: " ", with: "-"), title: title, detail: error.body ?? title
            ).response()
        } catch let error as DomainValidationError {
            return Problem.invalid(field: error.field, error.message).response()
        } catch let error as AccountingError {
            let status: HTTPResponse.Status = error.description.hasPrefix("no ") ? .notFound : .conflict
            return Problem(
                status: status, type: status == .notFound ? "not-found" : "accounting-conflict", title: status.reasonPhrase, detail: error.description
            )
            .response()
        } catch let error as StoreError where error.isNotFound {
            return Problem.notFound(error.description).response()
        } catch let error as DatabaseError where error.isConnectionLost {
            context.logger.error("database unavailable", metadata: ["error": "\(error)"])
            return Problem(
                status: .serviceUnavailable, type: "database-unavailable", title: "Service Unavailable",
                detail: "The database is not reachable; try again shortly."
            ).response()
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return Problem(
                status: .internalServerError, type: "internal", title: "Internal Server Error", detail: "The server failed to handle this request."
            ).response()
        }
    }
}
