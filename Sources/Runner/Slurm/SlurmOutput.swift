import Foundation

/// Parsers for what Slurm's tools print, kept apart from running them so they can be tested on recorded output.
enum SlurmOutput {
    /// `sbatch --parsable` prints `JOBID` or `JOBID;CLUSTER`.
    static func jobID(fromSubmission output: String) -> String? {
        let first = output.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let id = first.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return !id.isEmpty && id.allSatisfy(\.isNumber) ? id : nil
    }

    /// `squeue -h -j ID -o %T`: the job's state while it is alive (PENDING, RUNNING, COMPLETING, …), nil once it has
    /// ended (squeue keeps listing an ended job as COMPLETED, CANCELLED, … for MinJobAge seconds) or left the queue.
    static func queueState(_ output: String) -> String? {
        let state = output.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return state.isEmpty || Self.endedStates.contains(state) ? nil : state
    }

    /// Slurm's final job states.
    static let endedStates: Set<String> = [
        "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "SPECIAL_EXIT",
        "REVOKED",
    ]

    /// What `sacct` reports for a finished job.
    struct Accounting: Sendable, Hashable {
        /// COMPLETED, FAILED, TIMEOUT, CANCELLED, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED… (`CANCELLED by 0` → CANCELLED).
        var state: String
        /// `exit:signal`, e.g. `0:0`, `1:0`, `0:15`.
        var exitCode: String
        var elapsedSeconds: Double?
        var cpuSeconds: Double?

        /// Whether the job's run may be tried again: the machine failed it, not the run.
        var isInfrastructureFailure: Bool { ["NODE_FAIL", "BOOT_FAIL", "PREEMPTED", "REQUEUED"].contains(self.state) }
    }

    /// `sacct -n -P -j ID -o JobID,State,ExitCode,ElapsedRaw,TotalCPU`: the job's own line (its steps' lines, `ID.batch`,
    /// are skipped; the job's line carries their summed CPU time).
    static func accounting(_ output: String, jobID: String) -> Accounting? {
        for line in output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 5, fields[0] == jobID else { continue }
            let state = fields[1].split(separator: " ").first.map(String.init) ?? fields[1]
            guard !state.isEmpty else { continue }
            return Accounting(state: state, exitCode: fields[2], elapsedSeconds: Double(fields[3]), cpuSeconds: Self.seconds(fields[4]))
        }
        return nil
    }

    /// Slurm's durations: `[DD-[HH:]]MM:SS[.mmm]`, e.g. `00:01.234`, `01:02:03`, `2-03:04:05`.
    static func seconds(_ text: String) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        var days = 0.0
        var clock = Substring(text)
        if let dash = text.firstIndex(of: "-") {
            guard let value = Double(text[..<dash]) else { return nil }
            days = value
            clock = text[text.index(after: dash)...]
        }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var total = 0.0
        for part in parts {
            guard let value = Double(part), value >= 0 else { return nil }
            total = total * 60 + value
        }
        // With a day count the clock is HH:MM:SS; without, a two-part clock is MM:SS.
        if days > 0 && parts.count == 2 { total *= 60 }
        return days * 86_400 + total
    }
}
