#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An element-wise function of one float, specialised into the kernel loops (a struct so that ops with
/// parameters, like `pow` with an exponent, stay vectorisable).
protocol UnaryOperation {
    func callAsFunction(_ x: Float) -> Float
}

/// An element-wise function of two floats (see ``UnaryOperation``).
protocol BinaryOperation {
    init()
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

struct AddOperation: BinaryOperation {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b }
}
struct SubtractOperation: BinaryOperation {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b }
}
struct MultiplyOperation: BinaryOperation {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b }
}
struct DivideOperation: BinaryOperation {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b }
}

/// The loops behind the ops: plain pointer loops over contiguous runs, which the compiler vectorises at
/// default settings (`docs/engine.md`, "Design measurements"), plus strided fallbacks for views and broadcasting.
enum Kernels {
    // MARK: Splitting

    /// Element counts from which contiguous element-wise loops are split over the engine's threads
    /// (below it, waking a worker costs more than it saves).
    static let parallelThreshold = 1 << 18

    /// Calls `body(range)` over `0..<count` in one piece, or in equal pieces over the engine's threads
    /// for large counts. Element-wise loops write disjoint ranges, so the result is the same either way.
    @inline(__always)
    static func forEachChunk(_ count: Int, _ body: (Range<Int>) -> Void) {
        let threads = count >= parallelThreshold ? Engine.threadCount : 1
        if threads == 1 {
            body(0..<count)
            return
        }
        Engine.parallelFor(threads) { part in
            body((part * count / threads)..<((part + 1) * count / threads))
        }
    }

    // MARK: Copies

    /// A contiguous copy of `tensor`'s elements in row-major order.
    static func contiguousCopy(_ tensor: Tensor) -> TensorStorage {
        let count = tensor.count
        let output = TensorStorage(uninitializedCount: count)
        copy(tensor, into: output.pointer)
        return output
    }

    /// Writes `tensor`'s elements in row-major order to `destination`.
    static func copy(_ tensor: Tensor, into destination: UnsafeMutablePointer<Float>) {
        let source = tensor.node.storage.pointer
        if tensor.isContiguous {
            destination.update(from: source + tensor.offset, count: tensor.count)
            return
        }
        Layout.forEachRun(
            shape: tensor.shape, strides: [Layout.contiguousStrides(tensor.shape), tensor.strides],
            baseOffsets: [0, tensor.offset]
        ) { offsets, length, inner in
            let output = destination + offsets[0]
            let input = source + offsets[1]
            let stride = inner[1]
            if stride == 1 {
                output.update(from: input, count: length)
            } else {
                for index in 0..<length { output[index] = input[index * stride] }
            }
        }
    }

    /// `target += source` element-wise, where `target` may be a strided view (it must not overlap
    /// itself) and both have the same shape.
    static func addInPlace(_ target: Tensor, _ source: Tensor) {
        let out = target.node.storage.pointer
        let input = source.node.storage.pointer
        if target.isContiguous && source.isContiguous {
            let o = out + target.offset
            let a = UnsafePointer(input + source.offset)
            for index in 0..<target.count { o[index] += a[index] }
            return
        }
        Layout.forEachRun(
            shape: target.shape, strides: [target.strides, source.strides],
            baseOffsets: [target.offset, source.offset]
        ) { offsets, length, inner in
            let o = out + offsets[0]
            let a = UnsafePointer(input + offsets[1])
            let so = inner[0], sa = inner[1]
            if so == 1 && sa == 1 {
                for index in 0..<length { o[index] += a[index] }
            } else {
                for index in 0..<length { o[index * so] += a[index * sa] }
            }
        }
    }

    // MARK: Element-wise maps

    /// `operation` applied to every element, as a new contiguous tensor.
    static func unary<Operation: UnaryOperation>(_ operation: Operation, _ x: Tensor) -> Tensor {
        let count = x.count
        let output = TensorStorage(uninitializedCount: count)
        let o = output.pointer
        let source = UnsafePointer(x.node.storage.pointer)
        if x.isContiguous {
            let a = source + x.offset
            forEachChunk(count) { range in
                for index in range { o[index] = operation(a[index]) }
            }
        } else {
            Layout.forEachRun(
                shape: x.shape, strides: [Layout.contiguousStrides(x.shape), x.strides],
                baseOffsets: [0, x.offset]
            ) { offsets, length, inner in
                let out = o + offsets[0]
                let a = source + offsets[1]
                let stride = inner[1]
                for index in 0..<length { out[index] = operation(a[index * stride]) }
            }
        }
        return Tensor(storage: output, shape: x.shape)
    }

    /// `operation(a, b)` with NumPy broadcasting, as a new contiguous tensor. `precondition`s
    /// broadcast-compatible shapes.
    static func binary<Operation: BinaryOperation>(_ type: Operation.Type, _ a: Tensor, _ b: Tensor) -> Tensor {
        binary(Operation(), a, b, name: "binary")
    }

    static func binary<Operation: BinaryOperation>(
        _ operation: Operation, _ a: Tensor, _ b: Tensor, name: StaticString
    ) -> Tensor {
        let sameShape = a.shape == b.shape
        guard let shape = sameShape ? a.shape : Layout.broadcastShape(a.shape, b.shape) else {
            preconditionFailure("\(name): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let count = Layout.count(shape)
        let output = TensorStorage(uninitializedCount: count)
        let o = output.pointer
        let pa = UnsafePointer(a.node.storage.pointer)
        let pb = UnsafePointer(b.node.storage.pointer)
        if sameShape && a.isContiguous && b.isContiguous {
            let x = pa + a.offset, y = pb + b.offset
            forEachChunk(count) { range in
                for index in range { o[index] = operation(x[index], y[index]) }
            }
            return Tensor(storage: output, shape: shape)
        }
        let stridesA = Layout.broadcastStrides(shape: a.shape, strides: a.strides, to: shape)
        let stridesB = Layout.broadcastStrides(shape: b.shape, strides: b.strides, to: shape)
        Layout.forEachRun(
            shape: shape, strides: [Layout.contiguousStrides(shape), stridesA, stridesB],
            baseOffsets: [0, a.offset, b.offset]
        ) { offsets, length, inner in
            let out = o + offsets[0]
            let x = pa + offsets[1], y = pb + offsets[2]
            let sx = inner[1], sy = inner[2]
            if sx == 1 && sy == 1 {
                for index in 0..<length { out[index] = operation(x[index], y[index]) }
            } else if sx == 1 && sy == 0 {
                let scalar = y[0]
                for index in 0..<length { out[index] = operation(x[index], scalar) }
            } else if sx == 0 && sy == 1 {
                let scalar = x[0]
                for index in 0..<length { out[index] = operation(scalar, y[index]) }
            } else {
                for index in 0..<length { out[index] = operation(x[index * sx], y[index * sy]) }
            }
        }
        return Tensor(storage: output, shape: shape)
    }

    /// `operation(a, b, c)` for three same-shape tensors (backward formulas such as `g · f'(x)`),
    /// contiguous copies taken where needed.
    static func ternary(
        _ a: Tensor, _ b: Tensor, _ c: Tensor,
        _ operation: (
            UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int
        ) -> Void
    ) -> Tensor {
        let count = a.count
        let output = TensorStorage(uninitializedCount: count)
        let va = a.contiguousStorageView(), vb = b.contiguousStorageView(), vc = c.contiguousStorageView()
        withExtendedLifetime((va.owner, vb.owner, vc.owner)) {
            forEachChunk(count) { range in
                let start = range.lowerBound
                operation(
                    va.pointer + start, vb.pointer + start, vc.pointer + start, output.pointer + start, range.count)
            }
        }
        return Tensor(storage: output, shape: a.shape)
    }

    /// `operation(a, b)` for two same-shape tensors over contiguous buffers (backward formulas).
    static func zip(
        _ a: Tensor, _ b: Tensor,
        _ operation: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> Tensor {
        let count = a.count
        let output = TensorStorage(uninitializedCount: count)
        let va = a.contiguousStorageView(), vb = b.contiguousStorageView()
        withExtendedLifetime((va.owner, vb.owner)) {
            forEachChunk(count) { range in
                let start = range.lowerBound
                operation(va.pointer + start, vb.pointer + start, output.pointer + start, range.count)
            }
        }
        return Tensor(storage: output, shape: a.shape)
    }
}
