/// An n-dimensional array of `Float` with reverse-mode automatic differentiation.
///
/// `Tensor` is a small handle to an immutable node: its storage (a pooled buffer shared by views), its
/// layout (shape, strides, offset) and, when it was computed from tensors that require gradients, the
/// function that propagates gradients to them. Ops never modify their operands, so a `Tensor` behaves
/// as a value. Two things live on the node and are therefore shared by copies of a handle: the
/// accumulated gradient of a leaf (``grad``), and the storage written through the explicit
/// `withUnsafeMutable…` accessors that optimizers use for in-place updates.
///
/// Views — ``reshaped(to:)`` of a contiguous tensor, ``transposed(_:_:)``, ``permuted(_:)``,
/// ``sliced(alongAxis:_:)``, ``expanded(to:)`` — share storage and copy nothing.
///
/// Threads: tensors may be passed between threads (`Sendable`); ops on distinct graphs may run
/// concurrently. Two threads must not run `backward` into the same leaf, or write a tensor's storage
/// while another reads it, at the same time.
///
/// Design after candle's `Tensor(Arc<Tensor_>)` and micrograd's `Value`; see ARCHITECTURE.md.
public struct Tensor: @unchecked Sendable {
    // `var` only so that backward can test it for unique ownership (`isKnownUniquelyReferenced`).
    var node: TensorNode

    init(node: TensorNode) { self.node = node }

    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int) {
        node = TensorNode(storage: storage, shape: shape, strides: strides, offset: offset)
    }

    /// A contiguous tensor over `storage` (which must hold exactly the shape's element count).
    init(storage: TensorStorage, shape: [Int]) {
        node = TensorNode(storage: storage, shape: shape, strides: Layout.contiguousStrides(shape), offset: 0)
    }

    // MARK: Creation

    /// A tensor of `shape` holding `scalars` in row-major order.
    /// - Throws: ``TensorError/invalidShape(shape:reason:)`` for a negative dimension,
    ///   ``TensorError/scalarCountMismatch(shape:expected:actual:)`` when the counts differ.
    public init(shape: [Int], scalars: [Float]) throws(TensorError) {
        let count = try Tensor.validatedCount(shape)
        guard scalars.count == count else {
            throw .scalarCountMismatch(shape: shape, expected: count, actual: scalars.count)
        }
        let storage = TensorStorage(uninitializedCount: count)
        scalars.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { storage.pointer.initialize(from: base, count: count) }
        }
        self.init(storage: storage, shape: shape)
    }

    /// A rank-1 tensor holding `scalars`.
    public init(_ scalars: [Float]) {
        let storage = TensorStorage(uninitializedCount: scalars.count)
        for index in scalars.indices { storage.pointer[index] = scalars[index] }
        self.init(storage: storage, shape: [scalars.count])
    }

    /// A rank-0 tensor holding `scalar`.
    public init(_ scalar: Float) {
        self.init(storage: TensorStorage(repeating: scalar, count: 1), shape: [])
    }

    /// A tensor of `shape` with every element equal to `value`.
    /// - Throws: ``TensorError/invalidShape(shape:reason:)`` for a negative dimension.
    public init(repeating value: Float, shape: [Int]) throws(TensorError) {
        let count = try Tensor.validatedCount(shape)
        self.init(storage: TensorStorage(repeating: value, count: count), shape: shape)
    }

    /// A tensor of `shape` filled with `value`. `precondition`s that no dimension is negative; use
    /// ``init(repeating:shape:)`` for shapes that come from user input.
    public static func full(_ value: Float, shape: [Int]) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "full: negative dimension in shape \(shape)")
        return Tensor(storage: TensorStorage(repeating: value, count: Layout.count(shape)), shape: shape)
    }

    /// A tensor of zeros (see ``full(_:shape:)``).
    public static func zeros(shape: [Int]) -> Tensor { full(0, shape: shape) }

    /// A tensor of ones (see ``full(_:shape:)``).
    public static func ones(shape: [Int]) -> Tensor { full(1, shape: shape) }

    /// A contiguous tensor of `shape` whose elements `fill` writes into the buffer it receives (all of
    /// them: the buffer starts uninitialised). For kernels outside this module and for data loading.
    public static func make(
        shape: [Int], fill: (_ buffer: UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "make: negative dimension in shape \(shape)")
        let count = Layout.count(shape)
        let storage = TensorStorage(uninitializedCount: count)
        try fill(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
        return Tensor(storage: storage, shape: shape)
    }

    static func validatedCount(_ shape: [Int]) throws(TensorError) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw .invalidShape(shape: shape, reason: "dimensions must be ≥ 0") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalidShape(shape: shape, reason: "element count overflows Int") }
            count = product
        }
        return count
    }

    // MARK: Layout

    /// The size of each axis.
    public var shape: [Int] { node.shape }
    /// Element steps between neighbours along each axis of the underlying storage.
    public var strides: [Int] { node.strides }
    /// The element offset of the first element in the underlying storage.
    public var offset: Int { node.offset }
    /// The number of axes.
    public var rank: Int { node.shape.count }
    /// The number of elements.
    public var count: Int { Layout.count(node.shape) }
    /// Whether the elements are laid out densely in row-major order from ``offset``.
    public var isContiguous: Bool { Layout.isContiguous(shape: node.shape, strides: node.strides) }
    /// Whether `self` and `other` are views of the same storage.
    public func sharesStorage(with other: Tensor) -> Bool { node.storage === other.node.storage }

    // MARK: Reading

    /// The elements in row-major order.
    public var scalars: [Float] {
        let source = contiguousStorageView()
        return Array(UnsafeBufferPointer(start: source.pointer, count: source.count))
    }

    /// The single element of a one-element tensor. `precondition`s that ``count`` is 1.
    public var scalar: Float {
        precondition(count == 1, "scalar: tensor of shape \(shape) has \(count) elements")
        return node.storage.pointer[node.offset]
    }

    /// A pointer to contiguous elements (the tensor's own storage when it is contiguous, else a copy)
    /// and the count. The returned storage keeps the memory alive.
    func contiguousStorageView() -> (pointer: UnsafePointer<Float>, count: Int, owner: TensorStorage) {
        if isContiguous {
            return (UnsafePointer(node.storage.pointer + node.offset), count, node.storage)
        }
        let copy = Kernels.contiguousCopy(self)
        return (UnsafePointer(copy.pointer), count, copy)
    }

    /// Calls `body` with the elements in row-major order (no copy when the tensor is contiguous).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let view = contiguousStorageView()
        return try withExtendedLifetime(view.owner) {
            try body(UnsafeBufferPointer(start: view.pointer, count: view.count))
        }
    }

    /// Calls `body` with the tensor's own elements for in-place writes (optimizer updates, parameter
    /// initialisation). Every view of the storage sees the writes. `precondition`s contiguity, and the
    /// write bypasses autograd: use it on leaves, not on tensors a recorded graph still needs.
    public func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        precondition(
            isContiguous,
            "withUnsafeMutableBufferPointer: tensor of shape \(shape) strides \(strides) is not contiguous")
        return try body(UnsafeMutableBufferPointer(start: node.storage.pointer + node.offset, count: count))
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = count <= 16 ? scalars.map { "\($0)" }.joined(separator: ", ") : "\(count) elements"
        return "Tensor(shape: \(shape), [\(values)]\(requiresGrad ? ", requiresGrad" : ""))"
    }
}
