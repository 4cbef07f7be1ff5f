import Database
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import Store

/// `GET /metrics` in Prometheus's text format: the request figures this process recorded, its database pool, and the
/// queue, runs, evaluation throughput and allocation use read from the database (so one scrape of any server shows
/// every runner on every machine).
///
/// Served to a scraper on this machine (a loopback peer that came through no proxy) or to an administrator's token;
/// through nginx, only the latter, since allocation figures are for members and administrators.
struct MetricsController: Sendable {
    let store: Store

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/metrics") { request, context in try await self.metrics(request, context: context) }
    }

    private func metrics(_ request: Request, context: AppRequestContext) async throws -> Response {
        let local = ["127.0.0.1", "::1"].contains(context.peerAddress) && request.headers[HTTPField.Name("X-Forwarded-For")!] == nil
        if !local {
            guard let identity = context.identity else { throw Problem.unauthenticated }
            guard identity.token.scope >= .admin else { throw Problem.forbidden("metrics are for administrators and scrapers on the server itself") }
        }
        var text = PrometheusExport.registry.emitToString()
        text += Self.pool(self.store.primary, replica: self.store.replica)
        do {
            // From the primary even though this is a GET: `database_up` must say whether writes can happen.
            text += Self.figures(try await Store(pool: self.store.primary).operations.figures())
            text += Self.sample("consortium_database_up", help: "1 when the primary database answered this scrape.", type: "gauge", value: 1)
        } catch {
            // The scrape still succeeds: "the database is down" is itself the figure an alert wants.
            context.logger.warning("metrics: database figures unavailable", metadata: ["error": "\(error)"])
            text += Self.sample("consortium_database_up", help: "1 when the primary database answered this scrape.", type: "gauge", value: 0)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func pool(_ primary: DatabasePool, replica: DatabasePool?) -> String {
        let pools = [("primary", primary)] + (replica.map { [("replica", $0)] } ?? [])
        var text = Self.family("consortium_db_pool_connections", help: "Open database connections of this process, by pool and state.", type: "gauge")
        for (name, pool) in pools {
            let statistics = pool.statistics
            text += "consortium_db_pool_connections{pool=\"\(name)\",state=\"in_use\"} \(statistics.open - statistics.idle)\n"
            text += "consortium_db_pool_connections{pool=\"\(name)\",state=\"idle\"} \(statistics.idle)\n"
        }
        text += Self.family("consortium_db_pool_max_connections", help: "The pool's connection limit.", type: "gauge")
        for (name, pool) in pools { text += "consortium_db_pool_max_connections{pool=\"\(name)\"} \(pool.configuration.maxConnections)\n" }
        text += Self.family("consortium_db_pool_waiting", help: "Callers waiting for a free connection.", type: "gauge")
        for (name, pool) in pools { text += "consortium_db_pool_waiting{pool=\"\(name)\"} \(pool.statistics.waiting)\n" }
        return text
    }

    private static func figures(_ figures: OperationsStore.Figures) -> String {
        var text = Self.family("consortium_runs", help: "Evaluation runs by status (queued: the queue's depth).", type: "gauge")
        for status in OperationsStore.runStatuses { text += "consortium_runs{status=\"\(status)\"} \(figures.runsByStatus[status] ?? 0)\n" }
        text += Self.sample("consortium_runs_started_total", help: "Runs that ever started.", type: "counter", value: Double(figures.runsStarted))
        text += Self.family("consortium_runs_finished_total", help: "Runs that ended, by outcome.", type: "counter")
        for status in ["succeeded", "failed", "cancelled"] {
            text += "consortium_runs_finished_total{status=\"\(status)\"} \(figures.runsByStatus[status] ?? 0)\n"
        }
        text += Self.sample(
            "consortium_evaluation_tokens_total", help: "Tokens the evaluation engine processed (rate() gives tokens/s across runners).",
            type: "counter", value: Double(figures.evaluationTokens))
        text += Self.sample(
            "consortium_evaluation_tokens_per_second",
            help: "Engine throughput: tokens per second of task wall time over the runs finished in the last 15 minutes.", type: "gauge",
            value: figures.recentTokensPerSecond ?? 0)
        text += Self.family("consortium_allocation_amount", help: "A live allocation's size, in its resource's unit.", type: "gauge")
        for allocation in figures.allocations { text += "consortium_allocation_amount\(Self.labels(allocation)) \(allocation.amount)\n" }
        text += Self.family("consortium_allocation_used", help: "What has been charged to a live allocation, in its resource's unit.", type: "gauge")
        for allocation in figures.allocations { text += "consortium_allocation_used\(Self.labels(allocation)) \(allocation.used)\n" }
        text += Self.family(
            "consortium_allocation_utilisation_ratio", help: "Used over amount of a live allocation (above 1: overdrawn).", type: "gauge")
        for allocation in figures.allocations where allocation.amount > 0 {
            text += "consortium_allocation_utilisation_ratio\(Self.labels(allocation)) \(allocation.used / allocation.amount)\n"
        }
        return text
    }

    private static func labels(_ allocation: OperationsStore.Figures.Allocation) -> String {
        "{group=\(Self.quoted(allocation.group)),resource=\(Self.quoted(allocation.resource)),unit=\(Self.quoted(allocation.unit))}"
    }

    private static func family(_ name: String, help: String, type: String) -> String { "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }

    private static func sample(_ name: String, help: String, type: String, value: Double) -> String {
        Self.family(name, help: help, type: type) + "\(name) \(value)\n"
    }

    /// A label value: backslash, double quote and newline escaped, as the exposition format requires.
    static func quoted(_ value: String) -> String {
        "\""
            + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
                of: "\n", with: "\\n") + "\""
    }
}
