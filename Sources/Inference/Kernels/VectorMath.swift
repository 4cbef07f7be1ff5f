/// Eight-lane `exp`, `erf` and `tanh` for the element-wise kernels. libm's scalar `erff`/`expf`
/// were a fifth of the encoder's time; these stay within ~2e-7 of them (checked in KernelTests).
enum VectorMath {
    typealias Lanes = SIMD8<Float>

    /// Cephes-style `expf`: range reduction by ln 2 and a degree-6 polynomial.
    @inline(__always)
    static func exp(_ input: Lanes) -> Lanes {
        let x = clamp(input, -87.3, 88.3)
        // Adding 1.5·2²³ rounds to the nearest integer and leaves it in the low mantissa bits, which
        // avoids Swift's generic (per-lane, unvectorised) float→int conversion.
        let magic = Lanes(repeating: 12_582_912)
        let shifted = fma(x, 1.44269504088896341, magic)
        let n = shifted - magic
        let r = fma(n, 2.12194440e-4, fma(n, -0.693359375, x))
        var p = fma(r, 1.9875691500e-4, 1.3981999507e-3)
        p = fma(p, r, 8.3334519073e-3)
        p = fma(p, r, 4.1665795894e-2)
        p = fma(p, r, 1.6666665459e-1)
        p = fma(p, r, 5.0000001201e-1)
        let y = fma(p, r * r, r + 1)
        let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return y * unsafeBitCast(exponent, to: Lanes.self)
    }

    /// The rational `erf` approximation Eigen and XLA use for float (clamped to ±4, where erf is ±1 in float).
    @inline(__always)
    static func erf(_ input: Lanes) -> Lanes {
        let x = clamp(input, -4, 4)
        let x2 = x * x
        var p = fma(x2, -2.72614225801306e-10, 2.77068142495902e-08)
        p = fma(x2, p, -2.10102402082508e-06)
        p = fma(x2, p, -5.69250639462346e-05)
        p = fma(x2, p, -7.34990630326855e-04)
        p = fma(x2, p, -2.95459980854025e-03)
        p = fma(x2, p, -1.60960333262415e-02)
        p = x * p
        var q = fma(x2, -1.45660718464996e-05, -2.13374055278905e-04)
        q = fma(x2, q, -1.68282697438203e-03)
        q = fma(x2, q, -7.37332916720468e-03)
        q = fma(x2, q, -1.42647390514189e-02)
        return p / q
    }

    /// `a·b + c` in one rounding. Swift does not contract `a * b + c` into a fused multiply-add, so the polynomials
    /// spell it out: half the instructions, and one rounding fewer per step.
    @inline(__always)
    static func fma(_ a: Lanes, _ b: Lanes, _ c: Lanes) -> Lanes { c.addingProduct(a, b) }

    @inline(__always)
    static func fma(_ a: Lanes, _ b: Float, _ c: Float) -> Lanes { Lanes(repeating: c).addingProduct(a, Lanes(repeating: b)) }

    @inline(__always)
    static func fma(_ a: Lanes, _ b: Lanes, _ c: Float) -> Lanes { Lanes(repeating: c).addingProduct(a, b) }

    @inline(__always)
    static func fma(_ a: Lanes, _ b: Float, _ c: Lanes) -> Lanes { c.addingProduct(a, Lanes(repeating: b)) }

    @inline(__always)
    static func tanh(_ input: Lanes) -> Lanes {
        let x = clamp(input, -9, 9)
        let e = exp(2 * x)
        return (e - 1) / (e + 1)
    }

    /// Lane-wise clamp by masked selects; the standard library's `clamped` did not inline here.
    @inline(__always)
    static func clamp(_ x: Lanes, _ low: Float, _ high: Float) -> Lanes {
        var y = x
        y.replace(with: Lanes(repeating: low), where: y .< low)
        y.replace(with: Lanes(repeating: high), where: y .> high)
        return y
    }

    /// The largest of `count` floats (−∞ for none), eight lanes at a time: a scalar `max` loop does not vectorise,
    /// since `max` must keep its order for NaNs.
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(x)
        let full = count / 8 * 8
        var peaks = Lanes(repeating: -.infinity)
        for i in stride(from: 0, to: full, by: 8) {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            peaks.replace(with: v, where: v .> peaks)
        }
        var peak = -Float.infinity
        for lane in 0..<8 { peak = Swift.max(peak, peaks[lane]) }
        for i in full..<count { peak = Swift.max(peak, x[i]) }
        return peak
    }

    /// `y[i] += x[i]` for `count` floats.
    @inline(__always)
    static func add(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
        let (source, target) = (UnsafeRawPointer(x), UnsafeMutableRawPointer(y))
        var i = 0
        while i + 8 <= count {
            let sum = target.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) + source.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            target.storeBytes(of: sum, toByteOffset: i * 4, as: Lanes.self)
            i += 8
        }
        while i < count {
            y[i] += x[i]
            i += 1
        }
    }

    /// Applies `body` to `count` floats at `base`, eight at a time, after adding `addend`'s floats to them when
    /// given (a dense layer's bias, in the same pass); the tail goes through a padded lane.
    @inline(__always)
    static func transform(
        _ base: UnsafeMutablePointer<Float>, count: Int, adding addend: UnsafePointer<Float>? = nil, _ body: (Lanes) -> Lanes
    ) {
        var i = 0
        let raw = UnsafeMutableRawPointer(base)
        if let addend {
            let added = UnsafeRawPointer(addend)
            while i + 8 <= count {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) + added.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
                raw.storeBytes(of: body(v), toByteOffset: i * 4, as: Lanes.self)
                i += 8
            }
        } else {
            while i + 8 <= count {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
                raw.storeBytes(of: body(v), toByteOffset: i * 4, as: Lanes.self)
                i += 8
            }
        }
        if i < count {
            var v = Lanes(repeating: 0)
            for k in 0..<(count - i) { v[k] = base[i + k] + (addend?[i + k] ?? 0) }
            let y = body(v)
            for k in 0..<(count - i) { base[i + k] = y[k] }
        }
    }
}
