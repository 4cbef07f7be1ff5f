import COpenSSL

/// Cryptographically secure random bytes from libcrypto, for API tokens and other secrets.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        // RAND_bytes fails only if the CSPRNG cannot be seeded; handing out a guessable secret would be worse than stopping.
        precondition(RAND_bytes(&buffer, Int32(count)) == 1, "libcrypto's CSPRNG is unavailable")
        return buffer
    }

    /// A random string over `[A-Za-z0-9]` with about `bits` bits of entropy.
    public static func token(bits: Int = 192) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let length = (bits + 5) / 6 + 1
        var out = ""
        while out.count < length {
            for byte in bytes(length * 2) where byte < 248 && out.count < length {
                // 248 = 4 × 62: rejecting the rest keeps every character equally likely.
                out.append(alphabet[Int(byte) % 62])
            }
        }
        return out
    }
}
