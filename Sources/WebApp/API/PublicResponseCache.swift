import CoreMetrics
import Hummingbird
import Synchronization

/// The encoded JSON of public API reads (the same bytes for every caller), served again until the data behind them
/// changes: a group's summary costs PostgreSQL several subqueries, and tooling asks for it far more often than anyone
/// changes a group.
///
/// Every server keeps its own, and forgets all of it when:
/// - this server has handled a write (before the writer sees the answer, so a client reads its own writes);
/// - the database announces `catalog_changed` (migration 0012's triggers, whoever wrote: another server, the CLI, psql);
/// - the notification connection is lost or comes back (announcements may have been missed; nothing is served while
///   it is down).
/// An entry older than `maxAge` is never served, which bounds staleness even if an announcement is lost on the way
/// and lets date-dependent figures (current members) follow the calendar.
///
/// An entry is kept only if nothing was forgotten between the moment its query began and the moment it is stored,
/// so a read that raced a write can never be kept.
final class PublicResponseCache: Sendable {
    /// One kept representation.
    struct Entry: Sendable {
        let body: ByteBuffer
        let etag: String
        let headers: HTTPFields
        let storedAt: ContinuousClock.Instant
    }

    /// What a read must present to store its result: the generation it began in.
    struct Ticket: Sendable {
        fileprivate let generation: UInt64
    }

    private struct State {
        var generation: UInt64 = 0
        var following = false
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    /// How long an entry may be served.
    let maxAge: Duration
    /// The most bytes kept (bodies, keys, headers and a fixed charge per entry); beyond it, or beyond `maxEntries`,
    /// expired entries go, and if that is not enough, everything.
    let maxBytes: Int
    /// The most entries kept: every distinct query string is a key, and a scanner must not grow the dictionary.
    let maxEntries: Int
    /// What an entry costs beyond its bytes (dictionary slot, buffer and header storage), roughly.
    private static let entryOverhead = 256
    private let state = Mutex(State())
    private let hits: Counter
    private let misses: Counter

    /// A cache that serves nothing until `following(true)` says change notifications are arriving.
    init(maxAge: Duration, maxBytes: Int = 64 << 20, maxEntries: Int = 10_000) {
        self.maxAge = maxAge
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        PrometheusExport.bootstrap()  // counters made before the factory is in place would count nowhere
        self.hits = Counter(label: "consortium_api_cache_lookups_total", dimensions: [("result", "hit")])
        self.misses = Counter(label: "consortium_api_cache_lookups_total", dimensions: [("result", "miss")])
    }

    /// The kept entry for `key` if it may be served now, and a ticket for storing a fresh one otherwise
    /// (nil ticket: nothing may be stored now).
    func lookup(_ key: String) -> (entry: Entry?, ticket: Ticket?) {
        let now = ContinuousClock.now
        let result: (Entry?, Ticket?) = self.state.withLock { state in
            guard state.following else { return (nil, nil) }
            if let entry = state.entries[key], now - entry.storedAt < self.maxAge { return (entry, nil) }
            return (nil, Ticket(generation: state.generation))
        }
        if result.0 != nil { self.hits.increment() } else { self.misses.increment() }
        return result
    }

    /// Keeps `entry` under `key`, unless something was forgotten since `ticket` was given out.
    func store(_ entry: Entry, for key: String, ticket: Ticket) {
        let now = ContinuousClock.now
        self.state.withLock { state in
            guard state.following, state.generation == ticket.generation else { return }
            if let old = state.entries.removeValue(forKey: key) { state.bytes -= Self.size(old, key) }
            let size = Self.size(entry, key)
            guard size <= self.maxBytes / 4 else { return }
            if state.bytes + size > self.maxBytes || state.entries.count >= self.maxEntries {
                state.entries = state.entries.filter { now - $0.value.storedAt < self.maxAge }
                state.bytes = state.entries.reduce(0) { $0 + Self.size($1.value, $1.key) }
                if state.bytes + size > self.maxBytes || state.entries.count >= self.maxEntries {
                    state.entries = [:]
                    state.bytes = 0
                }
            }
            state.entries[key] = entry
            state.bytes += size
        }
    }

    private static func size(_ entry: Entry, _ key: String) -> Int {
        entry.body.readableBytes + key.utf8.count + entry.etag.utf8.count
            + entry.headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count } + Self.entryOverhead
    }

    /// Forgets everything: the data behind some entry may have changed.
    func invalidate() {
        self.state.withLock { Self.forgetAll(&$0) }
    }

    /// Whether change notifications are arriving; either way, what was kept may have missed some.
    func following(_ following: Bool) {
        self.state.withLock { state in
            state.following = following
            Self.forgetAll(&state)
        }
    }

    /// Empties the cache and starts a new generation, so tickets given out before are refused.
    private static func forgetAll(_ state: inout State) {
        state.generation &+= 1
        state.entries = [:]
        state.bytes = 0
    }

    /// Number of entries kept (for tests and the metrics page).
    var count: Int { self.state.withLock { $0.entries.count } }
}
