import Dispatch
import Synchronization
import Testing

@testable import Inference

/// The pool behind every parallel step: each worker of a step runs exactly once and the step is over when `run`
/// returns, however many steps follow one another, and callers that find it taken still get their work done.
@Suite struct WorkerPoolTests {
    @Test(.timeLimit(.minutes(1))) func everyWorkerRunsOnceInEveryStep() {
        let pool = WorkerPool.shared
        var stepsRun = 0
        for step in 0..<5_000 {
            let workers = 1 + step % pool.capacity
            let runs = Mutex([Int](repeating: 0, count: workers))
            let ran = pool.run(workers: workers) { index in runs.withLock { $0[index] += 1 } }
            stepsRun += ran ? 1 : 0
            // Another suite's step may hold the pool at this moment; then nothing may have run.
            let expected = ran ? [Int](repeating: 1, count: workers) : [Int](repeating: 0, count: workers)
            let seen = runs.withLock { $0 }
            #expect(seen == expected, "step \(step), \(workers) workers")
            if seen != expected { break }
        }
        #expect(stepsRun > 0)
        #expect(!pool.run(workers: pool.capacity + 1) { _ in Issue.record("ran a step wider than the pool") })
    }

    @Test(.timeLimit(.minutes(1))) func stepsFromManyThreadsAndFromInsideStepsAllComplete() {
        // Eight threads at once, each step starting nested steps from inside: all but one caller at a time find the
        // pool taken and fall back; every element must still be written exactly once.
        let totals = Mutex([Int](repeating: 0, count: 8))
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for _ in 0..<100 {
                let cells = Mutex([Int](repeating: 0, count: 256))
                Parallel.forEachChunk(256, minimumChunk: 1) { outer in
                    Parallel.forEachChunk(outer.count, minimumChunk: 1) { inner in
                        for i in inner { cells.withLock { $0[outer.lowerBound + i] += 1 } }
                    }
                }
                let written = cells.withLock { $0 }
                totals.withLock { $0[thread] += written.allSatisfy { $0 == 1 } ? 1 : 0 }
            }
        }
        #expect(totals.withLock { $0 } == [Int](repeating: 100, count: 8))
    }
}
