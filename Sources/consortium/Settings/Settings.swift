import Database
import Foundation
import Logging

/// The effective configuration of one command: each setting from its flag, else the environment, else the config file,
/// else its default, remembering which.
struct Settings: Sendable {
    /// Where a value came from.
    enum Source: Sendable, CustomStringConvertible {
        case flag(String)
        case environment
        case file(path: String, line: Int)
        case defaultValue
        case unset

        var description: String {
            switch self {
            case .flag(let flag): "flag \(flag)"
            case .environment: "environment"
            case .file(let path, let line): "\(path) line \(line)"
            case .defaultValue: "default"
            case .unset: "unset"
            }
        }
    }

    /// A setting's effective value and its source.
    struct Entry: Sendable {
        let setting: Setting
        let value: String?
        let source: Source

        /// The value as `consortium config` prints it: secrets hidden, a connection string's password only.
        var displayValue: String {
            guard let value else { return "" }
            return self.setting.isSecret ? DatabaseConfiguration.redact(value) : value
        }
    }

    private let flags: [String: String]
    private let environment: [String: String]
    /// The config file read, if any.
    let file: ConfigFile?
    /// Whether the file was named (flag or environment) rather than found at the default path.
    let fileIsExplicit: Bool

    /// Resolves against `environment` and the config file named by `--config`, `CONSORTIUM_CONFIG`, or the default path
    /// when it exists.
    init(flags: [Setting: String?], environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var given: [String: String] = [:]
        for (setting, value) in flags { if let value { given[setting.name] = value } }
        self.flags = given
        self.environment = environment.filter { !$0.value.isEmpty }
        if let path = given[Setting.config.name] ?? self.environment[Setting.config.name] {
            self.file = try ConfigFile.load(path: path)
        } else if let path = Setting.config.defaultValue, FileManager.default.fileExists(atPath: path) {
            // A deployed machine's file is readable by the service's group only: other users' commands go on without it.
            if FileManager.default.isReadableFile(atPath: path) {
                self.file = try ConfigFile.load(path: path)
            } else {
                FileHandle.standardError.write(Data("warning: \(path) is not readable by this user; its settings are not used\n".utf8))
                self.file = nil
            }
        } else {
            self.file = nil
        }
        self.fileIsExplicit = given[Setting.config.name] != nil || self.environment[Setting.config.name] != nil
    }

    func entry(_ setting: Setting) -> Entry {
        if setting == .config {
            if let path = self.file?.path {
                let source: Source =
                    self.flags[setting.name] != nil ? .flag(setting.flag ?? "") : self.environment[setting.name] != nil ? .environment : .defaultValue
                return Entry(setting: setting, value: path, source: source)
            }
            return Entry(setting: setting, value: nil, source: .unset)
        }
        if let value = self.flags[setting.name] { return Entry(setting: setting, value: value, source: .flag(setting.flag ?? setting.name)) }
        if let value = self.environment[setting.name] { return Entry(setting: setting, value: value, source: .environment) }
        if let file = self.file, let (value, line) = file.values[setting.name], !value.isEmpty {
            return Entry(setting: setting, value: value, source: .file(path: file.path, line: line))
        }
        if let value = setting.defaultValue { return Entry(setting: setting, value: value, source: .defaultValue) }
        return Entry(setting: setting, value: nil, source: .unset)
    }

    /// Every setting's entry, in `Setting.all` order.
    var entries: [Entry] { Setting.all.map(self.entry) }

    /// `CONSORTIUM_*` variables in the environment that name no setting (a misspelling, most likely).
    var unknownEnvironmentNames: [String] {
        let known = Set(Setting.all.map(\.name))
        return self.environment.keys.filter { $0.hasPrefix("CONSORTIUM_") && !known.contains($0) }.sorted()
    }

    func string(_ setting: Setting) -> String? { self.entry(setting).value }

    /// A whole number within `range`; the error names the setting, the value and where it came from.
    func integer(_ setting: Setting, in range: ClosedRange<Int>) throws -> Int? {
        try self.parse(setting, as: "a whole number from \(range.lowerBound) to \(range.upperBound)") {
            Int($0).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// A number of bytes within `range`.
    func bytes(_ setting: Setting, in range: ClosedRange<Int64>) throws -> Int64? {
        try self.parse(setting, as: "a number of bytes from \(range.lowerBound) to \(range.upperBound)") {
            Int64($0).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// A number of seconds of at least `minimum`.
    func seconds(_ setting: Setting, atLeast minimum: Double) throws -> Double? {
        try self.parse(setting, as: "a number of seconds of at least \(minimum)") { Double($0).flatMap { $0.isFinite && $0 >= minimum ? $0 : nil } }
    }

    func logLevel() throws -> Logger.Level {
        try self.parse(.logLevel, as: "one of trace, debug, info, notice, warning, error, critical") { Logger.Level(rawValue: $0) } ?? .info
    }

    func logFormat() throws -> LogFormat {
        try self.parse(.logFormat, as: "text or json") { LogFormat(rawValue: $0) } ?? .text
    }

    private func parse<T>(_ setting: Setting, as expected: String, _ convert: (String) -> T?) throws -> T? {
        let entry = self.entry(setting)
        guard let value = entry.value else { return nil }
        guard let parsed = convert(value.trimmingCharacters(in: .whitespaces)) else {
            throw CommandError("\(setting.name)=\(entry.displayValue) (from \(entry.source)): must be \(expected)")
        }
        return parsed
    }
}

/// How log lines are written.
enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}
