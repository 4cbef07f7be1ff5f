import COpenSSL
public import Foundation

/// Passwords stored as PBKDF2-HMAC-SHA256 from libcrypto, as `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64), so
/// the work factor can be raised later without invalidating what is stored.
public enum PasswordHash {
    /// OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
    public static let defaultIterations = 600_000
    static let prefix = "pbkdf2-sha256"

    /// A new salted hash of `password`. Takes a few hundred milliseconds by design: call it off the cooperative pool.
    public static func make(_ password: String, iterations: Int = defaultIterations) -> String {
        let salt = SecureRandom.bytes(16)
        let hash = Self.derive(password, salt: salt, iterations: iterations)
        return "\(Self.prefix)$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Whether `password` matches `stored`, compared in constant time; false for anything that is not a hash we wrote.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.prefix, let iterations = Int(parts[1]), (1_000...10_000_000).contains(iterations),
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])), expected.count == 32
        else { return false }
        let actual = Self.derive(password, salt: [UInt8](salt), iterations: iterations)
        return expected.withUnsafeBytes { e in actual.withUnsafeBytes { a in CRYPTO_memcmp(e.baseAddress, a.baseAddress, 32) == 0 } }
    }

    /// What a sign-in with an unknown e-mail address verifies against, so that it takes as long as a known one.
    public static let decoy = make(SecureRandom.token(), iterations: defaultIterations)

    private static func derive(_ password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let bytes = Array(password.utf8)
        let ok = bytes.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { chars in
                PKCS5_PBKDF2_HMAC(chars.baseAddress, Int32(bytes.count), salt, Int32(salt.count), Int32(iterations), EVP_sha256(), 32, &out)
            }
        }
        // Fails only when libcrypto cannot allocate; a zero hash would let anyone in, so stop instead.
        precondition(ok == 1, "libcrypto failed to derive a PBKDF2 key")
        return out
    }
}
