#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension RandomNumberGenerator {
    /// A uniform `Float` in `[0, 1)` from the top 24 bits of one draw (every value a multiple of 2⁻²⁴).
    @inline(__always)
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Two independent standard normal values from two draws (Box–Muller in `Double`: with u₁ ∈ (0, 1]
    /// and u₂ ∈ [0, 1), r = √(−2 ln u₁) and the pair is (r cos 2πu₂, r sin 2πu₂)).
    @inline(__always)
    public mutating func nextNormalPair() -> (Float, Float) {
        let u1 = 1 - Double(next() >> 11) * 0x1p-53  // (0, 1]: log stays finite
        let u2 = Double(next() >> 11) * 0x1p-53
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (Float(radius * cos(angle)), Float(radius * sin(angle)))
    }
}
