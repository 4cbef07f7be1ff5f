import Foundation

/// Horizontal bars as SVG: members per country on the home page, and an allocation's used / committed / remaining.
enum BarChart {
    /// One bar per row, scaled to the largest; the numbers are printed beside each bar.
    static func rows(_ rows: [(label: String, value: Int)], title: String) -> String {
        guard let largest = rows.map(\.value).max(), largest > 0 else { return "" }
        let rowHeight = 22.0
        let labelWidth = 56.0
        let barWidth = 300.0
        let height = rowHeight * Double(rows.count)
        var svg =
            "<svg class=\"chart bars\" viewBox=\"0 0 \(Int(labelWidth + barWidth + 48)) \(Int(height))\" role=\"img\" aria-label=\"\(Escape.html(title))\">"
        svg += "<title>\(Escape.html(title))</title>"
        for (index, row) in rows.enumerated() {
            let y = Double(index) * rowHeight
            let width = max(1, barWidth * Double(row.value) / Double(largest))
            svg += "<text class=\"tick\" x=\"\(Int(labelWidth - 8))\" y=\"\(y + 15)\" text-anchor=\"end\">\(Escape.html(row.label))</text>"
            svg += "<rect class=\"bar\" x=\"\(Int(labelWidth))\" y=\"\(y + 4)\" width=\"\(String(format: "%.1f", width))\" height=\"14\" rx=\"2\">"
            svg += "<title>\(Escape.html(row.label)): \(row.value)</title></rect>"
            svg += "<text class=\"tick\" x=\"\(String(format: "%.1f", labelWidth + width + 6))\" y=\"\(y + 15)\">\(row.value)</text>"
        }
        return svg + "</svg>"
    }

    /// A single stacked bar: used, then committed, then what remains of the grant (overdraft shows as a full bar).
    static func usage(used: Double, committed: Double, granted: Double, label: String) -> String {
        let total = max(granted, used + committed, 1e-9)
        let width = 300.0
        let usedWidth = width * max(0, used) / total
        let committedWidth = width * max(0, committed) / total
        var svg = "<svg class=\"usage\" viewBox=\"0 0 300 14\" role=\"img\" aria-label=\"\(Escape.html(label))\"><title>\(Escape.html(label))</title>"
        svg += "<rect class=\"remaining\" x=\"0\" y=\"0\" width=\"300\" height=\"14\" rx=\"3\"/>"
        svg += "<rect class=\"used\" x=\"0\" y=\"0\" width=\"\(String(format: "%.1f", usedWidth))\" height=\"14\" rx=\"3\"/>"
        if committedWidth > 0 {
            svg +=
                "<rect class=\"committed\" x=\"\(String(format: "%.1f", usedWidth))\" y=\"0\" width=\"\(String(format: "%.1f", committedWidth))\" height=\"14\"/>"
        }
        return svg + "</svg>"
    }
}
