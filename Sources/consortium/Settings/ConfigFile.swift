import Foundation

/// A config file of `NAME=VALUE` lines, the format systemd's `EnvironmentFile=` reads too: `#` and `;` comments, blank lines,
/// an optional `export `, values optionally in single or double quotes. Unknown names and repeated names are errors,
/// so a misspelt setting cannot be silently ignored.
struct ConfigFile: Sendable {
    let path: String
    /// Setting name → value and the line it is on.
    let values: [String: (value: String, line: Int)]

    /// Reads and checks the file; every error names the file and, where there is one, the line.
    static func load(path: String, known: [Setting] = Setting.all) throws -> ConfigFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandError("the config file \(path) does not exist")
        }
        guard !isDirectory.boolValue else { throw CommandError("the config file \(path) is a folder") }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw CommandError("cannot read the config file \(path): permission denied")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw CommandError("\(path): the config file is not UTF-8 text") }
        return try ConfigFile(path: path, text: text, known: known)
    }

    init(path: String, text: String, known: [Setting] = Setting.all) throws {
        let names = Set(known.map(\.name))
        var values: [String: (value: String, line: Int)] = [:]
        // "\r\n" is one Character in Swift: normalise it, or a file saved on Windows would be one long line.
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, rawLine) in lines.enumerated() {
            let lineNumber = offset + 1
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else {
                throw CommandError("\(path) line \(lineNumber): expected NAME=VALUE")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard names.contains(name) else {
                throw CommandError("\(path) line \(lineNumber): unknown setting \(name) (`consortium config` lists the known ones)")
            }
            if let earlier = values[name] {
                throw CommandError("\(path) line \(lineNumber): \(name) is already set on line \(earlier.line)")
            }
            values[name] = (try Self.unquote(line[line.index(after: equals)...], path: path, line: lineNumber), lineNumber)
        }
        self.path = path
        self.values = values
    }

    private static func unquote(_ raw: Substring, path: String, line: Int) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces)
        guard let quote = value.first, quote == "\"" || quote == "'" else { return value }
        let unterminated = CommandError("\(path) line \(line): unterminated \(quote) quote")
        guard value.count >= 2, value.last == quote else { throw unterminated }
        let inner = value.dropFirst().dropLast()
        guard quote == "\"" else { return String(inner) }
        // Double quotes take the backslash escapes \" \\ \$ \` as a shell (and systemd) would; any other backslash is kept.
        var result = ""
        var escaped = false
        for character in inner {
            if escaped {
                if !"\"\\$`".contains(character) { result.append("\\") }
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        // A final backslash escaped the closing quote: the value never ended.
        if escaped { throw unterminated }
        return result
    }
}
