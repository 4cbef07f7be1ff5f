public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program and collects its exit status and output (for CLI and cluster-control tests).
///
/// Uses `posix_spawn` and `waitpid` directly: Foundation's `Process` on Linux left children unreaped here once a
/// grandchild daemon (pg_ctl's postmaster) outlived them, and reading pipes would hang on the daemon's copy.
public enum Shell {
    /// What a finished process left behind.
    public struct Outcome: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `executable` with `arguments` and extra `environment` (minus `removing`) in `directory`; waits for it to exit
    /// on a thread of its own, so a slow program never holds one of Swift's few cooperative threads (tests beside it
    /// would starve: a pool test's waiters once timed out behind blocked CLI tests).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], removing: [String] = [],
        in directory: URL = TestDatabase.repositoryRoot
    ) async throws -> Outcome {
        try await start(executable, arguments, environment: environment, removing: removing, in: directory).finish()
    }

    /// A process started in the background (for tests that signal or kill it).
    public struct Started: Sendable {
        public let pid: pid_t
        let executable: String
        let outPath: String
        let errPath: String

        /// Sends `signal` (SIGKILL, SIGTERM…).
        public func kill(_ signal: Int32) { _ = Glibc.kill(self.pid, signal) }

        /// Waits, off the cooperative pool, for the process to exit and collects its output.
        public func finish() async throws -> Outcome {
            try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Result { try self.wait() }) }.start()
            }
        }

        /// Waits for the process to exit and collects its output (blocking the calling thread).
        public func wait() throws -> Outcome {
            defer {
                unlink(self.outPath)
                unlink(self.errPath)
            }
            var status: Int32 = 0
            while waitpid(self.pid, &status, 0) < 0 {
                guard errno == EINTR else { throw TestDatabaseError("waitpid failed for \(self.executable): errno \(errno)") }
            }
            let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            let stdout = FileManager.default.contents(atPath: self.outPath) ?? Data()
            let stderr = FileManager.default.contents(atPath: self.errPath) ?? Data()
            return Outcome(status: exitCode, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    /// Starts `executable` without waiting for it; its output goes to temporary files that `wait()` reads.
    public static func start(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], removing: [String] = [],
        in directory: URL = TestDatabase.repositoryRoot
    ) throws -> Started {
        var env = ProcessInfo.processInfo.environment
        for key in removing { env.removeValue(forKey: key) }
        env.merge(environment) { $1 }
        let scratch = FileManager.default.temporaryDirectory
        let outPath = scratch.appendingPathComponent("shell-\(UUID().uuidString).out").path
        let errPath = scratch.appendingPathComponent("shell-\(UUID().uuidString).err").path
        // `cd` through /bin/sh so the child runs in `directory` without changing this process's directory; `exec` makes
        // the shell's pid the program's, so signals reach the program.
        let argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.path, executable] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArgs { free(pointer) }
            for pointer in cEnv { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, cArgs, cEnv)
        guard spawned == 0 else { throw TestDatabaseError("cannot start \(executable): error \(spawned)") }
        return Started(pid: pid, executable: executable, outPath: outPath, errPath: errPath)
    }
}
