import Dispatch

/// Runs a long synchronous computation (a real checkpoint's forward passes) on a Dispatch thread and awaits it,
/// so the test does not hold one of the few cooperative threads that every other suite's async work needs: with
/// two cores, two such tests once starved a database-pool test past its 60-second acquire timeout.
func blockingWork<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
