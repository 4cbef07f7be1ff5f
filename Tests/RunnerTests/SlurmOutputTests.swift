import Testing

@testable import Runner

/// The parsers of sbatch, squeue and sacct output, on lines recorded from Debian's slurm-wlm (Ops/scripts/slurm.sh).
/// The executor itself runs against a real Slurm in Ops/scripts/test-slurm.sh.
@Suite struct SlurmOutputTests {
    @Test func sbatchParsableGivesTheJobID() {
        #expect(SlurmOutput.jobID(fromSubmission: "42\n") == "42")
        #expect(SlurmOutput.jobID(fromSubmission: "1234;cluster-a\n") == "1234")
        #expect(SlurmOutput.jobID(fromSubmission: "") == nil)
        #expect(SlurmOutput.jobID(fromSubmission: "sbatch: error: Batch job submission failed\n") == nil)
    }

    @Test func squeueStateIsNilOnceTheJobHasLeft() {
        #expect(SlurmOutput.queueState("PENDING\n") == "PENDING")
        #expect(SlurmOutput.queueState("  RUNNING \n") == "RUNNING")
        #expect(SlurmOutput.queueState("COMPLETING\n") == "COMPLETING")
        #expect(SlurmOutput.queueState("CANCELLED\n") == nil)
        #expect(SlurmOutput.queueState("COMPLETED\n") == nil)
        #expect(SlurmOutput.queueState("") == nil)
        #expect(SlurmOutput.queueState("\n") == nil)
    }

    @Test func sacctGivesTheAllocationsLineWithSecondsParsed() throws {
        let output = "17|COMPLETED|0:0|3|00:01.250\n17.batch|COMPLETED|0:0|3|00:01.250\n"
        let accounting = try #require(SlurmOutput.accounting(output, jobID: "17"))
        #expect(accounting.state == "COMPLETED")
        #expect(accounting.exitCode == "0:0")
        #expect(accounting.elapsedSeconds == 3)
        #expect(accounting.cpuSeconds == 1.25)
        #expect(!accounting.isInfrastructureFailure)

        // "CANCELLED by 0" is CANCELLED; a line of another job is not this one's.
        #expect(SlurmOutput.accounting("18|CANCELLED by 0|0:15|61|00:00.010\n", jobID: "18")?.state == "CANCELLED")
        #expect(SlurmOutput.accounting("18|CANCELLED by 0|0:15|61|00:00.010\n", jobID: "1") == nil)
        #expect(SlurmOutput.accounting("19|NODE_FAIL|0:0|10|00:00:00\n", jobID: "19")?.isInfrastructureFailure == true)
        #expect(SlurmOutput.accounting("garbage\n", jobID: "19") == nil)
    }

    @Test func slurmDurations() {
        #expect(SlurmOutput.seconds("00:01.234") == 1.234)
        #expect(SlurmOutput.seconds("02:03") == 123)
        #expect(SlurmOutput.seconds("01:02:03") == 3723)
        let twoDays: Double = 2 * 86_400 + 3 * 3600 + 4 * 60 + 5
        #expect(SlurmOutput.seconds("2-03:04:05") == twoDays)
        #expect(SlurmOutput.seconds("") == nil)
        #expect(SlurmOutput.seconds("soon") == nil)
        #expect(SlurmOutput.seconds("1:2:3:4") == nil)
    }

    @Test func aJobIsShellQuotedWhateverTheOwnerIsCalled() {
        #expect(SlurmClient.shellQuoted("host:42") == "'host:42'")
        #expect(SlurmClient.shellQuoted("it's") == #"'it'\''s'"#)
    }
}
