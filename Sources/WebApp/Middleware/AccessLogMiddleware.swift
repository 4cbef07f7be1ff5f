import Dispatch
import Hummingbird
import Logging

/// One `info` line per request once its response is written: method, path (no query, which can hold search terms),
/// status and milliseconds; the request id comes with the logger's metadata.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        var response = try await next(request, context)
        let status = response.status.code
        let logger = context.logger
        let method = request.method.rawValue
        let path = request.uri.path
        let body = response.body
        let log: @Sendable (String?) -> Void = { failure in
            let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            var metadata: Logger.Metadata = [
                "method": .string(method), "path": .string(path), "status": .stringConvertible(Int(status)),
                "ms": .stringConvertible((milliseconds * 10).rounded() / 10),
            ]
            if let failure { metadata["error"] = .string(failure) }
            logger.info("request", metadata: metadata)
        }
        // Logged once the body is written, so a download's time is its whole transfer.
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            do {
                try await body.write(writer)
                log(nil)
            } catch {
                log("body not fully written: \(error)")
                throw error
            }
        }
        return response
    }
}
