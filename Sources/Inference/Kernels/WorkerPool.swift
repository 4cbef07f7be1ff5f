import Dispatch
import Foundation
import Synchronization

#if canImport(CBLAS)
    import CBLAS
#endif

/// Helper threads that stay awake for a moment between parallel steps.
///
/// A forward pass over one short sentence is some thirty parallel steps of 100–200 µs each. Handed to Dispatch, every
/// step woke a parked thread, and on a virtual machine waking an idle virtual CPU costs tens of microseconds: two cores
/// took 6.4 ms where one took 7.2. Here the helpers spin (`pause`) for up to ``spinDuration`` after each step, so the
/// next one starts at once, and then sleep on a semaphore until woken. The caller is worker 0.
///
/// One step at a time: a caller that finds the pool taken (another model on another thread, or a step started from
/// inside a step) gets `false` and runs its step some other way.
final class WorkerPool: @unchecked Sendable {
    // @unchecked: `job` is written only by the caller that holds `taken`, before it publishes a step through
    // `announced` (release), and read only by that step's workers after they observe it (acquire) and before they
    // report done through `remaining`, which the caller waits for before it clears `job` or publishes the next step.

    /// One helper fewer than the machine has cores (the caller is the other).
    static let shared = WorkerPool(helpers: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// How long a helper spins for the next step before it sleeps.
    static let spinDuration: UInt64 = 200_000  // ns

    private final class Helper: Sendable {
        let asleep = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    private let helpers: [Helper]
    /// The most workers a step can have: the helpers and the caller.
    var capacity: Int { helpers.count + 1 }
    private let taken = Atomic<Bool>(false)
    /// The step counter shifted left by 8, or-ed with the step's worker count: one load tells a helper both that there
    /// is a new step and whether it takes part.
    private let announced = Atomic<Int>(0)
    private let remaining = Atomic<Int>(0)
    private nonisolated(unsafe) var job: (@Sendable (Int) -> Void)?

    private init(helpers count: Int) {
        helpers = (0..<count).map { _ in Helper() }
        for (offset, helper) in helpers.enumerated() {
            let thread = Thread { [self] in self.serve(index: offset + 1, helper) }
            thread.name = "consortium-worker-\(offset + 1)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Runs `body(0)` … `body(workers − 1)` at once, `body(0)` on the calling thread; returns when all are done.
    /// `false`, having run nothing, when the pool is taken or has fewer than `workers − 1` helpers.
    func run(workers: Int, _ body: @Sendable (Int) -> Void) -> Bool {
        guard workers >= 1, workers - 1 <= helpers.count, workers < 256,
            taken.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        defer { taken.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            job = body
            remaining.store(workers - 1, ordering: .relaxed)
            let step = announced.load(ordering: .relaxed) >> 8 + 1
            announced.store(step << 8 | workers, ordering: .sequentiallyConsistent)
            for helper in helpers.prefix(workers - 1) where helper.asleep.exchange(false, ordering: .sequentiallyConsistent) {
                helper.wake.signal()
            }
            body(0)
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins < 1 << 16 { Self.relax() } else { sched_yield() }  // a helper's CPU may have been taken away
            }
            job = nil
        }
        return true
    }

    private func serve(index: Int, _ helper: Helper) {
        var seen = 0  // the value before any step, not a fresh load: a step may be published before this thread runs
        // Renewed only by a step this helper takes part in: one that skips steps (with `--threads` below the core
        // count) naps after its spell instead of spinning for as long as steps keep coming.
        var deadline = DispatchTime.now().uptimeNanoseconds + Self.spinDuration
        while true {
            var current = announced.load(ordering: .acquiring)
            var spins = 0
            while current == seen {
                spins += 1
                if spins & 63 != 0 || DispatchTime.now().uptimeNanoseconds < deadline {
                    Self.relax()
                } else {
                    // Announce the nap, then look once more: a step published in between is either seen here or
                    // finds `asleep` set and signals (sequentially consistent on both sides).
                    helper.asleep.store(true, ordering: .sequentiallyConsistent)
                    if announced.load(ordering: .sequentiallyConsistent) == seen { helper.wake.wait() }
                    helper.asleep.store(false, ordering: .relaxed)
                    deadline = DispatchTime.now().uptimeNanoseconds + Self.spinDuration
                }
                current = announced.load(ordering: .acquiring)
            }
            seen = current
            if index < current & 0xFF {
                work(index)
                remaining.subtract(1, ordering: .releasing)
                deadline = DispatchTime.now().uptimeNanoseconds + Self.spinDuration
            }
        }
    }

    /// Calls the step's body; not inlined, so this thread's reference to it is gone before it reports done (the caller
    /// lends the body `withoutActuallyEscaping`, which traps if a reference outlives the step).
    @inline(never)
    private func work(_ index: Int) { job?(index) }

    @inline(__always)
    private static func relax() {
        #if canImport(CBLAS)
            consortium_cpu_relax()
        #endif
    }
}
