import ArgumentParser
import Domain
import Foundation

/// `--json` / `--csv` for commands whose output scripts read; a table for people otherwise.
struct OutputOptions: ParsableArguments {
    @Flag(help: "One JSON object per line.")
    var json = false

    @Flag(help: "Comma-separated values with a header line.")
    var csv = false

    func validate() throws {
        if self.json && self.csv { throw ValidationError("--json and --csv are alternatives; pass one") }
    }

    /// Prints rows as a table, JSON lines or CSV. `columns` are (header, JSON key); cells are already text.
    /// `numeric` names columns to right-align in the table and to emit as numbers in JSON.
    func emit(columns: [(header: String, key: String)], rows: [[String]], numeric: Set<String> = []) {
        if self.json {
            for row in rows {
                let fields = zip(columns, row).map { column, value -> String in
                    let raw = value.replacingOccurrences(of: ",", with: "")
                    let isNumber = numeric.contains(column.key) && Double(raw) != nil
                    return
                        "\(Self.jsonString(column.key)):\(isNumber ? raw : (value.isEmpty && numeric.contains(column.key) ? "null" : Self.jsonString(value)))"
                }
                print("{" + fields.joined(separator: ",") + "}")
            }
        } else if self.csv {
            print(columns.map { Self.csvField($0.key) }.joined(separator: ","))
            for row in rows {
                print(
                    zip(columns, row).map { column, value in
                        Self.csvField(numeric.contains(column.key) ? value.replacingOccurrences(of: ",", with: "") : value)
                    }.joined(separator: ","))
            }
        } else {
            print(
                TextTable(headers: columns.map(\.header), rightAligned: Set(columns.indices.filter { numeric.contains(columns[$0].key) }))
                    .render(rows), terminator: "")
        }
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Aligned columns for people.
struct TextTable {
    let headers: [String]
    let rightAligned: Set<Int>

    func render(_ rows: [[String]]) -> String {
        var widths = self.headers.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return self.rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        return line(self.headers) + line(widths.map { String(repeating: "─", count: $0) }) + rows.map(line).joined()
    }
}

/// Numbers and dates as people read them.
enum Format {
    /// `1234567.5` → `1,234,567.50` (two decimals, thousands separators, no locale surprises).
    static func amount(_ value: Decimal, decimals: Int = 2) -> String {
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, decimals, .plain)
        let negative = rounded < 0
        let text = (negative ? -rounded : rounded).description
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = String(parts[0])
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        fraction += String(repeating: "0", count: max(0, decimals - fraction.count))
        var grouped = ""
        for (i, c) in whole.reversed().enumerated() {
            if i > 0, i % 3 == 0 { grouped.append(",") }
            grouped.append(c)
        }
        return (negative ? "-" : "") + String(grouped.reversed()) + (decimals > 0 ? "." + fraction : "")
    }

    static func day(_ date: Date?) -> String {
        date.map(ISODay.format) ?? ""
    }

    static func unit(_ raw: String) -> String { raw.replacingOccurrences(of: "_", with: "-") }
}
