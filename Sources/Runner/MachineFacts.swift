import Foundation

/// What a reproducibility record says about where a run was executed.
struct MachineFacts: Sendable, Codable {
    let cpuModel: String
    let cores: Int
    let operatingSystem: String
    /// The engine's source revision: `$CONSORTIUM_ENGINE_VERSION`, else `git rev-parse HEAD` of the working directory
    /// (with `-dirty` when it has uncommitted changes), else "unknown".
    let engineVersion: String

    static func read() -> MachineFacts {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
        return MachineFacts(
            cpuModel: model.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown",
            cores: ProcessInfo.processInfo.activeProcessorCount,
            operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString,
            engineVersion: engineVersion())
    }

    private static func engineVersion() -> String {
        if let version = ProcessInfo.processInfo.environment["CONSORTIUM_ENGINE_VERSION"], !version.isEmpty { return version }
        guard let head = git(["rev-parse", "HEAD"]), head.count == 40 else { return "unknown" }
        let dirty = git(["status", "--porcelain", "--untracked-files=no"]).map { !$0.isEmpty } ?? false
        return dirty ? head + "-dirty" : head
    }

    private static func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// CPU seconds this process has used (user + system, all threads).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
