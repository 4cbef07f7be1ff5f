import Foundation
import Synchronization

/// Runs a short command-line tool (sbatch, squeue, sacct, scancel) on a thread of its own, with a time limit, and
/// collects its output.
struct Subprocess: Sendable {
    struct Outcome: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `executable` (a name looked up on PATH, or a path) with `arguments`; the environment is this process's
    /// plus `environment`. A tool still running after `timeout` seconds is killed and reported as a failure.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) async throws
        -> Outcome
    {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try Self.runBlocking(executable, arguments, environment: environment, timeout: timeout) })
            }
            thread.start()
        }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Double) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // SIGKILL, not terminate(): a runner ignores SIGTERM (it handles it itself) and its children inherit that.
        let pid = process.processIdentifier
        let deadline = DispatchWorkItem { if process.isRunning { kill(pid, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        // Both pipes are drained before waiting, so a chatty tool cannot block on a full pipe.
        let errData = Mutex<Data>(Data())
        let errDone = DispatchSemaphore(value: 0)
        Thread {
            errData.withLock { $0 = err.fileHandleForReading.readDataToEndOfFile() }
            errDone.signal()
        }.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        deadline.cancel()
        errDone.wait()
        let stderr = String(decoding: errData.withLock { $0 }, as: UTF8.self)
        if process.terminationReason == .uncaughtSignal {
            throw RunnerError("\(executable) did not finish within \(Int(timeout)) s (or was killed): \(stderr.prefix(300))")
        }
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: stderr)
    }
}
