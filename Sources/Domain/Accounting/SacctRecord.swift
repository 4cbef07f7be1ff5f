public import Foundation

/// One job line of `sacct --parsable2 --noheader --format=JobID,Account,User,Start,End,Elapsed,AllocTRES,State`.
public struct SacctRecord: Hashable, Sendable {
    /// What the importer should do with a line.
    public enum Disposition: Hashable, Sendable {
        /// A finished job (any end state): charge it.
        case charge
        /// A job step (`123.batch`, `123.0`, `123.extern`): its parent job line already covers it.
        case step
        /// Still pending or running: charge it in a later import, once it has ended.
        case unfinished
    }

    public let jobID: String
    public let account: String
    public let user: String
    public let start: Date?
    public let end: Date?
    /// Wall-clock seconds.
    public let elapsedSeconds: Int
    /// GPUs held (`gres/gpu=N` in AllocTRES; 0 if none).
    public let gpus: Int
    /// CPUs held (`cpu=N` in AllocTRES).
    public let cpus: Int
    public let state: String
    public let disposition: Disposition

    /// GPU-hours: GPUs × elapsed hours.
    public var gpuHours: Decimal { Self.hours(self.gpus, self.elapsedSeconds) }
    /// CPU-hours: CPUs × elapsed hours.
    public var cpuHours: Decimal { Self.hours(self.cpus, self.elapsedSeconds) }

    private static let unfinishedStates: Set<String> = ["PENDING", "RUNNING", "REQUEUED", "RESIZING", "SUSPENDED", "CONFIGURING", "COMPLETING"]

    /// Parses one line.
    ///
    /// - Throws: `DomainValidationError` whose field names the bad column (`line` for the wrong number of fields).
    public init(line: String) throws(DomainValidationError) {
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 8 else {
            throw DomainValidationError(field: "line", message: "expected 8 '|'-separated fields (JobID…State), found \(fields.count)")
        }
        let jobID = fields[0]
        guard jobID.wholeMatch(of: /[0-9]+(_[0-9]+|_\[[0-9,\-%]+\])?(\+[0-9]+)?(\.[A-Za-z0-9_\-]+)?/) != nil else {
            throw DomainValidationError(field: "JobID", message: "'\(jobID.prefix(40))' is not a Slurm job id")
        }
        // "CANCELLED by 1234" carries the canceller; the state is the first word.
        let state = String(fields[7].split(separator: " ").first ?? "")
        guard !state.isEmpty else { throw DomainValidationError(field: "State", message: "is empty") }
        guard let elapsed = Self.seconds(fromElapsed: fields[5]) else {
            throw DomainValidationError(field: "Elapsed", message: "'\(fields[5].prefix(40))' is not [D-]HH:MM:SS")
        }
        let tres = try Self.tres(fields[6])
        self.jobID = jobID
        self.account = fields[1]
        self.user = fields[2]
        self.start = Self.date(fields[3])
        self.end = Self.date(fields[4])
        self.elapsedSeconds = elapsed
        self.gpus = tres["gres/gpu"] ?? 0
        self.cpus = tres["cpu"] ?? 0
        self.state = state
        if jobID.contains(".") {
            self.disposition = .step
        } else if Self.unfinishedStates.contains(state) || self.end == nil {
            self.disposition = .unfinished
        } else {
            self.disposition = .charge
        }
        if self.disposition == .charge, self.account.isEmpty {
            throw DomainValidationError(field: "Account", message: "is empty for a finished job")
        }
    }

    /// `[D-]HH:MM:SS`, `MM:SS` or `MM:SS.mmm`; nil for anything else.
    static func seconds(fromElapsed text: String) -> Int? {
        var days = 0
        var rest = Substring(text)
        if let dash = rest.firstIndex(of: "-") {
            guard let d = Int(rest[..<dash]), d >= 0 else { return nil }
            days = d
            rest = rest[rest.index(after: dash)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count) else { return nil }
        var numbers: [Int] = []
        for (index, part) in parts.enumerated() {
            let whole = index == parts.count - 1 ? part.split(separator: ".").first.map(String.init) ?? "" : String(part)
            guard let n = Int(whole), n >= 0, whole.count <= 2 || index == 0 else { return nil }
            numbers.append(n)
        }
        let (h, m, s) = numbers.count == 3 ? (numbers[0], numbers[1], numbers[2]) : (0, numbers[0], numbers[1])
        guard m < 60, s < 60 else { return nil }
        return ((days * 24 + h) * 60 + m) * 60 + s
    }

    /// `billing=40,cpu=40,gres/gpu=4,mem=160G,node=1` → counts of the integer-valued resources.
    static func tres(_ text: String) throws(DomainValidationError) -> [String: Int] {
        var counts: [String: Int] = [:]
        guard !text.isEmpty else { return counts }
        for item in text.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { throw DomainValidationError(field: "AllocTRES", message: "'\(item.prefix(40))' is not name=value") }
            // gres/gpu:a100=4 names a GPU type; count it as GPUs too.
            let name = pair[0].hasPrefix("gres/gpu") ? "gres/gpu" : String(pair[0])
            if name == "gres/gpu" || name == "cpu" {
                guard let n = Int(pair[1]), n >= 0 else {
                    throw DomainValidationError(field: "AllocTRES", message: "'\(item.prefix(40))' has no whole count")
                }
                counts[name, default: 0] += n
            }
        }
        return counts
    }

    /// `2026-03-01T12:00:00` (sacct prints local time; our clusters run in UTC); nil for `Unknown`/`None`.
    static func date(_ text: String) -> Date? {
        let parts = text.split(separator: "T")
        guard parts.count == 2 else { return nil }
        let ymd = parts[0].split(separator: "-").compactMap { Int($0) }
        let hms = parts[1].split(separator: ":").compactMap { Int($0) }
        guard ymd.count == 3, hms.count == 3 else { return nil }
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        (components.year, components.month, components.day) = (ymd[0], ymd[1], ymd[2])
        (components.hour, components.minute, components.second) = (hms[0], hms[1], hms[2])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)
    }

    private static func hours(_ count: Int, _ seconds: Int) -> Decimal {
        // Rounded to 1/100 hour (36 s), the precision usage is stored with.
        var value = Decimal(count * seconds) / 3600
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 4, .plain)
        return rounded
    }
}
