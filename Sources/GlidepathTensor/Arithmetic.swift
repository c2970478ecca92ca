/// Add, subtract, multiply and divide with NumPy/PyTorch broadcasting, and their scalar forms.
///
/// Broadcasting aligns shapes from the last axis; an axis of size 1 (or a missing leading axis)
/// stretches to the other operand's size. The gradient of a broadcast operand is the incoming gradient
/// summed over the stretched axes. Mismatched shapes are a `precondition` failure naming both shapes.
extension Tensor {
    /// `lhs + rhs` element-wise with broadcasting. Gradients: `g` to each, summed over broadcast axes.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = Kernels.binary(AddOperation(), lhs, rhs, name: "add")
        return record("add", result: result, inputs: [lhs, rhs]) { gradient, sink in
            sink.accumulate(gradient.summed(toShape: lhs.shape), forInput: 0)
            sink.accumulate(gradient.summed(toShape: rhs.shape), forInput: 1)
        }
    }

    /// `lhs − rhs` element-wise with broadcasting. Gradients: `g` and `−g`.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = Kernels.binary(SubtractOperation(), lhs, rhs, name: "subtract")
        return record("subtract", result: result, inputs: [lhs, rhs]) { gradient, sink in
            sink.accumulate(gradient.summed(toShape: lhs.shape), forInput: 0)
            if sink.needsGradient(forInput: 1) {
                sink.accumulate((-gradient).summed(toShape: rhs.shape), forInput: 1)
            }
        }
    }

    /// `lhs · rhs` element-wise with broadcasting. Gradients: `g · rhs` and `g · lhs`.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = Kernels.binary(MultiplyOperation(), lhs, rhs, name: "multiply")
        return record("multiply", result: result, inputs: [lhs, rhs]) { gradient, sink in
            if sink.needsGradient(forInput: 0) {
                sink.accumulate((gradient * rhs).summed(toShape: lhs.shape), forInput: 0)
            }
            if sink.needsGradient(forInput: 1) {
                sink.accumulate((gradient * lhs).summed(toShape: rhs.shape), forInput: 1)
            }
        }
    }

    /// `lhs / rhs` element-wise with broadcasting. Gradients: `g / rhs` and `−g · lhs / rhs²`.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = Kernels.binary(DivideOperation(), lhs, rhs, name: "divide")
        let quotient = result.detached()  // a separate node: capturing `result` would form a cycle
        return record("divide", result: result, inputs: [lhs, rhs]) { gradient, sink in
            if sink.needsGradient(forInput: 0) {
                sink.accumulate((gradient / rhs).summed(toShape: lhs.shape), forInput: 0)
            }
            if sink.needsGradient(forInput: 1) {
                // d(a/b)/db = −a/b² = −result/b
                let local = Kernels.binary(DivideOperation(), quotient, rhs, name: "divide")
                sink.accumulate((-(gradient * local)).summed(toShape: rhs.shape), forInput: 1)
            }
        }
    }

    /// `−x`. Gradient `−g`.
    public static prefix func - (operand: Tensor) -> Tensor {
        let result = Kernels.unary(Affine(scale: -1, shift: 0), operand)
        return record("negate", result: result, input: operand) { gradient, sink in
            sink.accumulate(-gradient, forInput: 0)
        }
    }

    /// `scale · self + shift` element-wise in one pass.
    public func affine(scale: Float, shift: Float) -> Tensor {
        let result = Kernels.unary(Affine(scale: scale, shift: shift), self)
        return Tensor.record("affine", result: result, input: self) { gradient, sink in
            sink.accumulate(gradient.affine(scale: scale, shift: 0), forInput: 0)
        }
    }

    /// Scalar forms, each one ``affine(scale:shift:)`` pass (`1 / x` is a broadcast division).
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.affine(scale: 1, shift: rhs) }
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs.affine(scale: 1, shift: lhs) }
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.affine(scale: 1, shift: -rhs) }
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { rhs.affine(scale: -1, shift: lhs) }
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.affine(scale: rhs, shift: 0) }
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.affine(scale: lhs, shift: 0) }
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs.affine(scale: 1 / rhs, shift: 0) }
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { Tensor.full(lhs, shape: []) / rhs }

    /// The sum of `self` over the axes that broadcasting stretched to reach `self.shape` from `shape`:
    /// the gradient of a broadcast operand. Returns `self` when the shapes already match.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let extra = rank - target.count
        precondition(extra >= 0, "summed(toShape:): cannot reduce \(shape) to \(target)")
        var axes: [Int] = []
        for axis in 0..<rank where axis < extra || (target[axis - extra] == 1 && shape[axis] != 1) {
            axes.append(axis)
        }
        return sum(alongAxes: axes, keepingDimensions: true).reshaped(to: target)
    }
}

struct Affine: UnaryOperation {
    let scale: Float
    let shift: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * scale + shift }
}
