import Database
import DatabaseTestSupport
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Store
import Testing
import WebApp

/// A run executed on Slurm shows its jobs (one per attempt) with state and accounting in its single-run view.
@Suite struct RunSlurmJobAPITests {
    @Test func aRunsSlurmJobsAreInItsDetail() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await ArtifactFixture.make(pool)
            _ = try await f.evaluationSetUp()
            let checkpoint = try await f.draft(slug: "slurm-ckpt", file: Array("{}".utf8), publish: true)
            let run = try await f.finishedRun(checkpoint: checkpoint, acc: 0.5)
            try await f.store.slurmJobs.submitted(
                .init(runID: run, attempt: 1, jobID: "4242", account: "wg_test", partition: "eval", timeLimitMinutes: 90))
            try await f.store.slurmJobs.update(run: run, attempt: 1, state: "COMPLETED", exitCode: "0:0", elapsedSeconds: 12, cpuSeconds: 11.5)
            try await f.app().test(.router) { client async throws in
                try await client.execute(uri: "/api/v1/runs/\(run)", method: .get, headers: f.headers(.admin)) { response in
                    #expect(response.status == .ok)
                    let jobs = try #require(try ArtifactFixture.json(response.body)["slurm_jobs"] as? [[String: Any]])
                    #expect(jobs.count == 1)
                    #expect(jobs.first?["job_id"] as? String == "4242")
                    #expect(jobs.first?["account"] as? String == "wg_test")
                    #expect(jobs.first?["partition"] as? String == "eval")
                    #expect(jobs.first?["time_limit_minutes"] as? Int == 90)
                    #expect(jobs.first?["state"] as? String == "COMPLETED")
                    #expect(jobs.first?["exit_code"] as? String == "0:0")
                    #expect(jobs.first?["elapsed_seconds"] as? Double == 12)
                    #expect(jobs.first?["cpu_seconds"] as? Double == 11.5)
                }
                // The list view stays light: no jobs there.
                try await client.execute(uri: "/api/v1/runs", method: .get, headers: f.headers(.admin)) { response in
                    let items = try #require(try ArtifactFixture.json(response.body)["items"] as? [[String: Any]])
                    #expect(items.allSatisfy { $0["slurm_jobs"] == nil })
                }
            }
        }
    }
}
