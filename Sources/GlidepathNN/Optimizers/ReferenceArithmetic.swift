import GlidepathTensor

/// Float32 arithmetic exactly as PyTorch's CPU kernels do it, and reductions the way the reference
/// optimizers use them.
///
/// PyTorch's element-wise kernels with a scalar factor fuse the multiply and the add (one rounding):
/// `add_(other, alpha=a)` is fma(a, other, self), `addcmul_(t1, t2, value=v)` is fma(v·t1, t2, self),
/// `lerp_(end, w)` is fma(w, end − self, self) for |w| < 0.5 and fma(w − 1, end − self, end) otherwise;
/// `addcdiv_(t1, t2, value=v)` is self + (v·t1)/t2 (no fusion). Measured on torch 2.15 (AVX-512 build) with
/// every tensor length from 1 to 1000; Swift's `addingProduct` is the same correctly rounded fma on
/// every machine. Python floats handed to a kernel are rounded to Float32 first.
enum ReferenceArithmetic {
    /// `torch.lerp(start, end, weight)` on Float32.
    @inline(__always)
    static func lerp(_ start: Float, _ end: Float, _ weight: Float) -> Float {
        let difference = end - start
        return Swift.abs(weight) < 0.5
            ? start.addingProduct(weight, difference)
            : end.addingProduct(weight - 1, difference)
    }

    /// A Float32 tensor reduction's value as the reference reads it (`.item()` of a Float32 result):
    /// accumulated here in Double and rounded once to Float32, so it is the correctly rounded value
    /// the reference's own Float32 accumulation approximates.
    @inline(__always)
    static func float32(_ value: Double) -> Double { Double(Float(value)) }

    /// Python's `max(a, b)`: `a` unless `b > a` (so a NaN `b` is ignored and a NaN `a` is kept).
    @inline(__always)
    static func pythonMax(_ a: Double, _ b: Double) -> Double { b > a ? b : a }

    /// Python's `min(a, b)`: `a` unless `b < a`.
    @inline(__always)
    static func pythonMin(_ a: Double, _ b: Double) -> Double { b < a ? b : a }
}

/// Element loops over fixed blocks of a tensor's elements, run on the engine's threads when the tensor
/// is large. Block boundaries do not depend on the thread count, and block sums are added in block
/// order, so every result is the same for any number of threads.
enum ElementBlocks {
    static let size = 1 << 15

    /// Calls `body` on each block of `0..<count` (in parallel for more than one block).
    static func forEach(count: Int, _ body: (Range<Int>) -> Void) {
        let blocks = (count + size - 1) / size
        if blocks <= 1 {
            body(0..<count)
            return
        }
        Engine.parallelFor(blocks) { block in body(block * size..<Swift.min(count, (block + 1) * size)) }
    }

    /// Σ term(i) over `range` in Double, in four interleaved partial sums (independent chains, so the loop
    /// runs at the adder's throughput rather than its latency) added in a fixed order. `term` may update
    /// element i (it is called once per i, in order). Call it inside a ``sum(count:_:)`` block closure, so
    /// `term` is inlined into the loop: `ElementBlocks.sum(count: n) { ElementBlocks.lanes($0) { i in … } }`.
    @inline(__always)
    static func lanes(_ range: Range<Int>, _ term: (Int) -> Double) -> Double {
        var lanes = (0.0, 0.0, 0.0, 0.0)
        var i = range.lowerBound
        while i + 4 <= range.upperBound {
            lanes.0 += term(i)
            lanes.1 += term(i + 1)
            lanes.2 += term(i + 2)
            lanes.3 += term(i + 3)
            i += 4
        }
        while i < range.upperBound {
            lanes.0 += term(i)
            i += 1
        }
        return (lanes.0 + lanes.1) + (lanes.2 + lanes.3)
    }

    /// The sum of `body` over the blocks of `0..<count`, in block order (each block's own sum in Double).
    static func sum(count: Int, _ body: (Range<Int>) -> Double) -> Double {
        let blocks = (count + size - 1) / size
        if blocks <= 1 { return body(0..<count) }
        let partial = UnsafeMutableBufferPointer<Double>.allocate(capacity: blocks)
        defer { partial.deallocate() }
        Engine.parallelFor(blocks) { block in partial[block] = body(block * size..<Swift.min(count, (block + 1) * size))
        }
        var total = 0.0
        for value in partial { total += value }
        return total
    }
}
