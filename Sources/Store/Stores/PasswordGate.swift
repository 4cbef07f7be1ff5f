import Foundation

/// Bounds how many password checks run at once: each is a few hundred milliseconds of a core, and sign-in is open to
/// anyone, so without a bound a burst of attempts would take every core from the server. A few wait their turn
/// (people signing in together); beyond that queue, sign-in answers "busy".
actor PasswordGate {
    static let shared = PasswordGate(limit: max(1, ProcessInfo.processInfo.activeProcessorCount), queue: 32)

    private let limit: Int
    private let queue: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int, queue: Int) {
        self.limit = limit
        self.queue = queue
    }

    /// Takes a place, waiting for one if need be; false when even the queue is full.
    func enter() async -> Bool {
        if self.running < self.limit {
            self.running += 1
            return true
        }
        guard self.waiting.count < self.queue else { return false }
        // The place is handed over by `leave`, so `running` already counts this caller when it resumes.
        await withCheckedContinuation { self.waiting.append($0) }
        return true
    }

    /// Gives the place to the next in line, or frees it.
    func leave() {
        if self.waiting.isEmpty {
            self.running -= 1
        } else {
            self.waiting.removeFirst().resume()
        }
    }
}
