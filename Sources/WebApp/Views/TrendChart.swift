import Foundation

/// A metric across a group's checkpoint series as a server-rendered SVG line chart.
///
/// Colours come from the stylesheet (classes, `currentColor`), so the chart follows light and dark mode; the same
/// numbers are on the page as a table, and the SVG carries a text summary for screen readers.
struct TrendChart: Sendable {
    struct Point: Sendable {
        let label: String
        let value: Double
        let standardError: Double?
    }

    let title: String
    let points: [Point]

    private let width = 560.0
    private let height = 220.0
    private let left = 64.0
    private let right = 16.0
    private let top = 16.0
    private let bottom = 48.0

    /// The `<svg>` element, or an empty string when there is nothing to draw.
    var svg: String {
        // A NaN or infinite value is not drawn, and an unusable standard error is not drawn as a bar (results come from
        // runners; the database accepts NaN).
        let finite = self.points.filter { $0.value.isFinite }.map { point in
            Point(label: point.label, value: point.value, standardError: point.standardError.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil })
        }
        guard !finite.isEmpty else { return "" }
        let lows = finite.map { $0.value - ($0.standardError ?? 0) }
        let highs = finite.map { $0.value + ($0.standardError ?? 0) }
        let ticks = Self.ticks(low: lows.min()!, high: highs.max()!)
        let (low, high) = (ticks.values.first!, ticks.values.last!)
        let plotWidth = self.width - self.left - self.right
        let plotHeight = self.height - self.top - self.bottom
        func x(_ index: Int) -> Double {
            finite.count == 1 ? self.left + plotWidth / 2 : self.left + plotWidth * Double(index) / Double(finite.count - 1)
        }
        func y(_ value: Double) -> Double { self.top + plotHeight * (1 - (value - low) / (high - low)) }
        let summary = finite.map { "\($0.label): \(Format.metric($0.value))" }.joined(separator: "; ")
        var svg = """
            <svg class="chart" viewBox="0 0 \(Int(self.width)) \(Int(self.height))" role="img" aria-label="\(Escape.html(self.title)): \(Escape.html(summary))">
            <title>\(Escape.html(self.title))</title>
            """
        for tick in ticks.values {
            let ty = Self.number(y(tick))
            svg += "<line class=\"grid\" x1=\"\(Self.number(self.left))\" x2=\"\(Self.number(self.width - self.right))\" y1=\"\(ty)\" y2=\"\(ty)\"/>"
            svg +=
                "<text class=\"tick\" x=\"\(Self.number(self.left - 6))\" y=\"\(ty)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(String(format: "%.\(ticks.decimals)f", tick))</text>"
        }
        for (index, point) in finite.enumerated() {
            let px = Self.number(x(index))
            let label = point.label.count > 14 ? String(point.label.prefix(13)) + "…" : point.label
            svg +=
                "<text class=\"tick\" x=\"\(px)\" y=\"\(Self.number(self.height - self.bottom + 18))\" text-anchor=\"middle\">\(Escape.html(label))</text>"
            if let error = point.standardError, error > 0 {
                svg +=
                    "<line class=\"error-bar\" x1=\"\(px)\" x2=\"\(px)\" y1=\"\(Self.number(y(point.value - error)))\" y2=\"\(Self.number(y(point.value + error)))\"/>"
            }
        }
        let path = finite.indices.map { "\(Self.number(x($0))),\(Self.number(y(finite[$0].value)))" }.joined(separator: " ")
        if finite.count > 1 { svg += "<polyline class=\"line\" points=\"\(path)\"/>" }
        for (index, point) in finite.enumerated() {
            let error = point.standardError.map { " ± \(Format.metric($0))" } ?? ""
            svg += "<circle class=\"point\" cx=\"\(Self.number(x(index)))\" cy=\"\(Self.number(y(point.value)))\" r=\"4\">"
            svg += "<title>\(Escape.html(point.label)): \(Format.metric(point.value))\(error)</title></circle>"
        }
        return svg + "</svg>"
    }

    /// Three to six round tick values covering [low, high], and the decimals their step needs (0.2 → 1, 0.25 → 2, 50 → 0),
    /// so an axis reads 0.2, 0.4 … rather than 0.2000, 1.000.
    static func ticks(low: Double, high: Double) -> (values: [Double], decimals: Int) {
        var (low, high) = (low, high)
        if high - low <= abs(high) * 1e-9 {
            let pad = max(abs(high) * 0.05, 1e-6)
            (low, high) = (low - pad, high + pad)
        }
        let rough = (high - low) / 4
        guard rough.isFinite, rough > 0, low.isFinite, high.isFinite else { return ([0, 1], 0) }
        let exponent = floor(log10(rough))
        let mantissa = [1.0, 2, 2.5, 5, 10].first { $0 * pow(10, exponent) >= rough } ?? 10
        let step = mantissa * pow(10, exponent)
        let decimals = max(0, -Int(exponent) - (mantissa == 10 ? 1 : 0)) + (mantissa == 2.5 ? 1 : 0)
        var values: [Double] = []
        var tick = floor(low / step) * step
        while tick < high + step * 0.999 && values.count < 12 {
            values.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return (values, decimals)
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
