import Database
import DatabaseTestSupport
import Domain
import Evaluation
import Foundation
import Inference
import Runner
import Store
import Testing

/// Submit → runner → results, on a real database with the tiny checkpoints in a real content store.
@Suite struct RunnerTests {
    @Test func aQueuedRunIsExecutedRecordedAndCharged() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool)
            defer { f.removeData() }
            let suite = try await f.suite(
                "causal",
                tasks: [(.perplexity, "perplexity.jsonl", ["max_length": "32", "stride": "16"]), (.multipleChoice, "multiple_choice.jsonl", [:])])
            let run = try await f.queue(f.gpt2, suite)
            let summary = try await f.runner("r1").run()
            #expect(summary.succeeded == 1 && summary.failed == 0)
            let listing = try #require(try await f.store.runs.find(run))
            #expect(listing.run.status == .succeeded && listing.run.attempts == 1)
            // The stored numbers are the engine's numbers for the same checkpoint, data and parameters.
            let checkpoint = try Checkpoint(
                directory: TestDatabase.repositoryRoot.appendingPathComponent("Tests/InferenceTests/Fixtures/tiny-gpt2").path)
            let expected = try Evaluator.evaluate(
                .perplexity, checkpoint: checkpoint,
                dataset: try Data(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("Ops/demo/datasets/perplexity.jsonl")),
                datasetName: "perplexity.jsonl", parameters: TaskParameters(["max_length": "32", "stride": "16"], for: .perplexity))
            let results = try await f.store.runs.results(of: run)
            #expect(Set(results.map(\.taskSlug)) == ["causal-0", "causal-1"])
            let perplexity = try #require(results.first { $0.taskSlug == "causal-0" && $0.result.metric == "perplexity" })
            #expect(perplexity.result.value == expected.value("perplexity"))
            #expect(results.contains { $0.result.metric == "acc" && $0.result.standardError != nil && $0.result.samples == 16 })
            // Charged once, to the group's allocation, under the run's id; the reservation is released.
            let charges: Int64 = try await f.scalar(
                "SELECT count(*) FROM usage_records WHERE source = 'evaluation_runner' AND external_id = \(run.description) AND allocation_id = \(f.allocation)"
            )
            #expect(charges == 1)
            // Reproducibility: digests of checkpoint, tokenizer and dataset, task version, parameters, machine.
            let record: String = try await f.scalar(
                "SELECT reproducibility::text FROM run_task_outcomes WHERE run_id = \(run) ORDER BY items LIMIT 1")
            for key in ["\"dataset\"", "\"sha256\"", "\"tokenizer_sha256\"", "\"task_version\": 1", "\"threads\": 1", "\"seed\": 0"] {
                #expect(record.contains(key), "\(key) in \(record)")
            }
            let runRecord: String = try await f.scalar("SELECT reproducibility::text FROM runs WHERE id = \(run)")
            for key in ["\"checkpoint_sha256\"", "\"cpu_model\"", "\"engine_version\"", "\"co2e_grams\"", "\"energy_kwh\""] {
                #expect(runRecord.contains(key), "\(key) in run record")
            }
            let progress: String = try await f.scalar("SELECT progress::text FROM runs WHERE id = \(run)")
            #expect(progress == "{}" || progress.contains("\"tasks\": 2"))
        }
    }

    @Test func badDatasetsAndWrongArchitecturesFailOnceWithTheReason() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool)
            defer { f.removeData() }
            let wrongKind = try await f.suite("masked-on-causal", tasks: [(.fillMaskProbe, "fill_mask_probe.jsonl", [:])])
            let wrongFile = try await f.suite("format", tasks: [(.multipleChoice, "perplexity.jsonl", [:])])
            let badParameter = try await f.suite("parameter", tasks: [(.perplexity, "perplexity.jsonl", ["stride": "-1"])])
            let missing = try await f.suite("missing", tasks: [(.perplexity, "no-such-file.jsonl", [:])])
            let runs = [
                try await f.queue(f.gpt2, wrongKind), try await f.queue(f.gpt2, wrongFile), try await f.queue(f.gpt2, badParameter),
                try await f.queue(f.gpt2, missing),
            ]
            let summary = try await f.runner("r1").run()
            #expect(summary.failed == 4 && summary.retried == 0)
            let errors = try await runs.asyncMap { try #require(try await f.store.runs.find($0)) }
            #expect(errors.allSatisfy { $0.run.status == .failed && $0.run.attempts == 1 })
            #expect(errors[0].run.error?.contains("needs a masked_lm checkpoint") == true)
            #expect(errors[1].run.error?.hasPrefix("perplexity.jsonl:1: field 'context' is missing") == true, "\(errors[1].run.error ?? "")")
            #expect(errors[2].run.error?.contains("stride") == true)
            #expect(errors[3].run.error?.contains("no dataset file") == true)
            // A config written by hand in SQL that is not a map of strings fails its run once; it does not jam the queue.
            let handWritten = try await f.suite("hand-written", tasks: [(.perplexity, "perplexity.jsonl", [:])])
            try await f.pool.query("UPDATE evaluation_tasks SET config = '{\"limit\": 5}' WHERE slug = 'hand-written-0'")
            let jammed = try await f.queue(f.gpt2, handWritten)
            #expect(try await f.runner("r2").run().failed == 1)
            #expect(try await f.store.runs.find(jammed)?.run.error?.contains("must map parameter names to strings") == true)
            let results: Int64 = try await f.scalar("SELECT count(*) FROM results")
            #expect(results == 0)
        }
    }

    @Test func anExhaustedAllocationFailsTheRunBeforeAnyWork() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool, cpuHours: 2)
            defer { f.removeData() }
            let suite = try await f.suite("exhaust", tasks: [(.perplexity, "perplexity.jsonl", [:])])
            let run = try await f.queue(f.gpt2, suite, reserve: 1)
            // Slurm usage arrives after the run was queued and uses up the grant.
            _ = try await f.store.allocations.charge(
                .init(allocationID: f.allocation, amount: 2, source: .manual, note: "batch jobs"), actor: f.actor)
            let summary = try await f.runner("r1").run()
            #expect(summary.refused == 1 && summary.succeeded == 0)
            let listing = try #require(try await f.store.runs.find(run))
            #expect(listing.run.status == .failed && listing.run.attempts == 0)
            #expect(listing.run.error?.contains("exhausted") == true)
            let charged: Int64 = try await f.scalar("SELECT count(*) FROM usage_records WHERE source = 'evaluation_runner'")
            #expect(charged == 0)
        }
    }

    @Test func aRunWhoseRunnerDiedIsTakenOverAndFinishedOnce() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool)
            defer { f.removeData() }
            let suite = try await f.suite("takeover", tasks: [(.perplexity, "perplexity.jsonl", ["max_length": "16"])])
            let run = try await f.queue(f.gpt2, suite)
            // A runner claims it and dies: it never renews and never finishes.
            // The lease is long so a loaded machine cannot let it lapse before "early" looks; it is then expired
            // in the database instead of by waiting on the wall clock.
            guard case .run = try await f.store.runQueue.claim(owner: "dead", leaseSeconds: 600) else {
                Issue.record("nothing to claim")
                return
            }
            #expect(try await f.runner("early").run() == Runner.Summary(), "the lease is still held")
            _ = try await pool.query("UPDATE runs SET lease_expires_at = now() - interval '1 second' WHERE id = \(run)")
            let summary = try await f.runner("heir").run()
            #expect(summary.succeeded == 1)
            let listing = try #require(try await f.store.runs.find(run))
            #expect(listing.run.status == .succeeded && listing.run.attempts == 2)
            // The dead runner, coming back, can write nothing.
            let late = try await f.store.runQueue.complete(
                run, owner: "dead", results: [], measurement: .init(wallSeconds: 1, cpuSeconds: 1, reproducibility: "{}"))
            #expect(late == false)
            let outcomes: Int64 = try await f.scalar("SELECT count(*) FROM run_task_outcomes WHERE run_id = \(run)")
            let charges: Int64 = try await f.scalar("SELECT count(*) FROM usage_records WHERE external_id = \(run.description)")
            #expect(outcomes == 1 && charges == 1)
        }
    }

    @Test func aRunThatKeepsLosingItsRunnerFailsAfterItsAttempts() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool)
            defer { f.removeData() }
            let run = try await f.queue(f.gpt2, try await f.suite("doomed", tasks: []))
            for attempt in 1...3 {
                guard case .run(let claimed) = try await f.store.runQueue.claim(owner: "dying-\(attempt)", leaseSeconds: 0) else {
                    Issue.record("attempt \(attempt) found nothing")
                    return
                }
                #expect(claimed.attempt == attempt)
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await f.runner("last").run() == Runner.Summary())
            let listing = try #require(try await f.store.runs.find(run))
            #expect(listing.run.status == .failed)
            #expect(listing.run.error?.contains("stopped renewing the lease on attempt 3 of 3") == true)
        }
    }

    @Test func cancellingARunningRunStopsItAtTheNextBatch() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool)
            defer { f.removeData() }
            let run = try await f.longRun(documents: 4000)
            let runner = f.runner("busy")
            let working = Task { try await runner.run() }
            var progress = "{}"
            for _ in 0..<200 where progress == "{}" {
                try await Task.sleep(for: .milliseconds(50))
                progress = try await f.scalar("SELECT progress::text FROM runs WHERE id = \(run)")
            }
            #expect(progress.contains("\"total\": 4000"), "live progress: \(progress)")
            _ = try await f.store.runs.cancel(run, reason: "changed my mind", actor: f.actor)
            let summary = try await working.value
            #expect(summary.abandoned == 1 && summary.succeeded == 0)
            #expect(try await f.status(run) == .cancelled)
            let results: Int64 = try await f.scalar("SELECT count(*) FROM results WHERE run_id = \(run)")
            #expect(results == 0)
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
