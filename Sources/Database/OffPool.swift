public import Foundation

/// CPU-heavy work (a PBKDF2 check, rendering a large page) on a Dispatch thread, so it does not hold one of the
/// cooperative pool's few threads that every request and database hand-off needs.
public enum OffPool {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
