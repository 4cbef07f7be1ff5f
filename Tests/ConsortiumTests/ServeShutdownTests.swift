import Database
import DatabaseTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `consortium serve` stopped with SIGTERM (systemd's stop) finishes the request in flight and exits cleanly.
@Suite struct ServeShutdownTests {
    private var binary: String {
        if let path = ProcessInfo.processInfo.environment["CONSORTIUM_BIN"] { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("consortium").path
    }

    /// A plain TCP connection to 127.0.0.1, so the test controls when each byte of a request is sent.
    private struct Connection {
        let descriptor: Int32

        static func open(port: Int) -> Connection? {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { return nil }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(descriptor)
                return nil
            }
            var timeout = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            return Connection(descriptor: descriptor)
        }

        func send(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { Glibc.send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }

        /// Everything the server sends until it closes the connection (or 20 s pass).
        func readAll() -> String {
            var data = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(self.descriptor, &buffer, buffer.count, 0)
                if count <= 0 { break }
                data += buffer[0..<count]
            }
            return String(decoding: data, as: UTF8.self)
        }

        func closeIt() { close(self.descriptor) }
    }

    @Test func aRequestInFlightAtSIGTERMIsAnsweredAndTheServerExitsZero() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let env = ["DATABASE_URL": pool.configuration.connectionString]
            #expect(try await Shell.run(binary, ["seed", "--demo"], environment: env).status == 0)
            let admin: String = try #require(
                try await pool.query("SELECT email FROM members WHERE is_admin ORDER BY email LIMIT 1").first?.decode("email"))
            let created = try await Shell.run(
                binary, ["tokens", "create", "--member", admin, "--scope", "admin", "--name", "shutdown-test"], environment: env)
            let token = try #require(created.stdout.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("cons_") }.map(String.init))

            let port = 18_000 + Int.random(in: 0..<900)
            let server = try Shell.start(binary, ["serve", "--port", "\(port)", "--log-format", "json"], environment: env)
            var ready = false
            for _ in 0..<200 where !ready {
                if let probe = Connection.open(port: port) {
                    probe.closeIt()
                    ready = true
                } else {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            guard ready else {
                server.kill(SIGKILL)
                Issue.record("the server did not start: \(try await server.finish().stderr)")
                return
            }

            // Headers and half the body, then SIGTERM, then the rest: the request is in flight across the signal.
            let body = #"{"name": "sent-across-a-shutdown", "scope": "read"}"#
            let connection = try #require(Connection.open(port: port))
            defer { connection.closeIt() }
            let half = body.index(body.startIndex, offsetBy: body.count / 2)
            #expect(
                connection.send(
                    "POST /api/v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n" + String(body[..<half])))
            try await Task.sleep(for: .milliseconds(500))
            server.kill(SIGTERM)
            try await Task.sleep(for: .milliseconds(700))
            // The listener is closed by now: new connections are refused while the old one is served.
            #expect(Connection.open(port: port) == nil, "a new connection was accepted after SIGTERM")
            #expect(connection.send(String(body[half...])))
            // Off the cooperative pool: the read blocks until the server answers.
            let response = await withCheckedContinuation { continuation in Thread { continuation.resume(returning: connection.readAll()) }.start() }
            #expect(response.hasPrefix("HTTP/1.1 201"), "\(response.prefix(300))")
            let outcome = try await server.finish()
            #expect(outcome.status == 0, "\(outcome.stderr.suffix(2000))")
            let stored: Int64 = try #require(
                try await pool.query("SELECT count(*) AS n FROM api_tokens WHERE name = 'sent-across-a-shutdown'").first?.decode("n"))
            #expect(stored == 1)
        }
    }
}
