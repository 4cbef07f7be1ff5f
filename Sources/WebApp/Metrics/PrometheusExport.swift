import CoreMetrics
import Prometheus

/// The process's Prometheus registry. swift-metrics is bootstrapped once per process, so every application built in
/// it (the tests build many) records into this one; Hummingbird's `MetricsMiddleware` writes the request figures.
enum PrometheusExport {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Finer at the low end than the library's default: the API's target is milliseconds, pages tens of them.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(10),
        ]
        factory.nameAndLabelSanitizer = { name, labels in
            (Self.names[name] ?? Self.sanitized(name), labels.map { (Self.labels[$0.0] ?? Self.sanitized($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Hummingbird's OpenTelemetry-style names, in Prometheus's conventions.
    private static let names = [
        "hb.requests": "consortium_http_requests_total",
        "hb.request.errors": "consortium_http_request_errors_total",
        "http.server.request.duration": "consortium_http_request_duration_seconds",
        "http.server.active_requests": "consortium_http_active_requests",
    ]
    private static let labels = [
        "http.route": "route", "http.request.method": "method", "http.response.status_code": "status", "error.type": "status",
    ]

    /// Letters, digits, `_` and `:` only, as the exposition format requires.
    static func sanitized(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
    }

    /// Makes sure the factory is in place before the first request is counted.
    static func bootstrap() { _ = Self.registry }
}
