#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Element-wise functions and their derivatives.
///
/// Backward closures never capture the result tensor itself (that would make a reference cycle through
/// the node's gradient function); they capture a detached handle to the result's storage instead.
extension Tensor {
    /// `e^x` (vectorised; see ``FastMath/exp(_:)`` for accuracy). Gradient `g · e^x`.
    public func exp() -> Tensor {
        let result = Kernels.unary(ExpOperation(), self)
        let output = result.detached()
        return Tensor.record("exp", result: result, input: self) { gradient, sink in
            sink.accumulate(gradient * output, forInput: 0)
        }
    }

    /// Natural logarithm (libm `logf`). Gradient `g / x`.
    public func log() -> Tensor {
        let result = Kernels.unary(LogOperation(), self)
        return Tensor.record("log", result: result, input: self) { gradient, sink in
            sink.accumulate(gradient / self, forInput: 0)
        }
    }

    /// Square root. Gradient `g / (2√x)`.
    ///
    /// The loop calls `Float.squareRoot()`, which vectorises only with `-Xcc -fno-math-errno`
    /// (`docs/engine.md`, "Design measurements"); at default settings it runs as a scalar `sqrtf` loop.
    public func squareRoot() -> Tensor {
        let result = Kernels.unary(SquareRootOperation(), self)
        let output = result.detached()
        return Tensor.record("sqrt", result: result, input: self) { gradient, sink in
            sink.accumulate(
                Kernels.zip(gradient, output) { g, y, o, n in
                    for i in 0..<n { o[i] = g[i] * 0.5 / y[i] }
                }, forInput: 0)
        }
    }

    /// `x^exponent` for a constant exponent (libm `powf`; squares use a multiply). Gradient
    /// `g · exponent · x^(exponent−1)`.
    public func pow(_ exponent: Float) -> Tensor {
        let result =
            exponent == 2
            ? Kernels.unary(SquareOperation(), self) : Kernels.unary(PowerOperation(exponent: exponent), self)
        return Tensor.record("pow", result: result, input: self) { gradient, sink in
            let local =
                exponent == 2
                ? self.affine(scale: 2, shift: 0)
                : Kernels.unary(PowerOperation(exponent: exponent - 1), self).affine(scale: exponent, shift: 0)
            sink.accumulate(gradient * local, forInput: 0)
        }
    }

    /// `self^exponent` element-wise with broadcasting (libm `powf`). Gradients `g · b · a^(b−1)` and
    /// `g · a^b · ln a` (the latter is NaN for negative `a`, as in PyTorch).
    public func pow(_ exponent: Tensor) -> Tensor {
        let result = Kernels.binary(PowerBinaryOperation(), self, exponent, name: "pow")
        let output = result.detached()
        return Tensor.record("pow", result: result, inputs: [self, exponent]) { gradient, sink in
            if sink.needsGradient(forInput: 0) {
                let local = exponent * Kernels.binary(PowerBinaryOperation(), self, exponent - 1, name: "pow")
                sink.accumulate((gradient * local).summed(toShape: self.shape), forInput: 0)
            }
            if sink.needsGradient(forInput: 1) {
                sink.accumulate((gradient * output * self.log()).summed(toShape: exponent.shape), forInput: 1)
            }
        }
    }

    /// Hyperbolic tangent (vectorised, ``FastMath/tanh(_:)``). Gradient `g · (1 − y²)`.
    public func tanh() -> Tensor {
        let result = Kernels.unary(TanhOperation(), self)
        let output = result.detached()
        return Tensor.record("tanh", result: result, input: self) { gradient, sink in
            sink.accumulate(
                Kernels.zip(gradient, output) { g, y, o, n in
                    for i in 0..<n { o[i] = g[i] * (1 - y[i] * y[i]) }
                }, forInput: 0)
        }
    }

    /// Logistic sigmoid `1 / (1 + e^−x)` (vectorised). Gradient `g · y · (1 − y)`.
    public func sigmoid() -> Tensor {
        let result = Kernels.unary(SigmoidOperation(), self)
        let output = result.detached()
        return Tensor.record("sigmoid", result: result, input: self) { gradient, sink in
            sink.accumulate(
                Kernels.zip(gradient, output) { g, y, o, n in
                    for i in 0..<n { o[i] = g[i] * y[i] * (1 - y[i]) }
                }, forInput: 0)
        }
    }

    /// `max(x, 0)`. Gradient `g` where `x > 0`, else 0 (PyTorch's convention at 0).
    public func relu() -> Tensor {
        let result = Kernels.unary(ReluOperation(), self)
        let output = result.detached()
        return Tensor.record("relu", result: result, input: self) { gradient, sink in
            sink.accumulate(
                Kernels.zip(gradient, output) { g, y, o, n in
                    for i in 0..<n { o[i] = y[i] > 0 ? g[i] : 0 }
                }, forInput: 0)
        }
    }

    /// `|x|`. Gradient `g · sign(x)` (0 at 0, as PyTorch).
    public func abs() -> Tensor {
        let result = Kernels.unary(AbsoluteOperation(), self)
        return Tensor.record("abs", result: result, input: self) { gradient, sink in
            sink.accumulate(
                Kernels.zip(gradient, self) { g, x, o, n in
                    for i in 0..<n { o[i] = x[i] > 0 ? g[i] : (x[i] < 0 ? -g[i] : 0) }
                }, forInput: 0)
        }
    }

    /// `min(max(x, lowerBound), upperBound)` (PyTorch `clamp`). Gradient `g` where
    /// `lowerBound ≤ x ≤ upperBound`, else 0 (PyTorch passes the gradient at the bounds too).
    /// `precondition`s `lowerBound ≤ upperBound`.
    public func clamped(lowerBound: Float = -.infinity, upperBound: Float = .infinity) -> Tensor {
        precondition(lowerBound <= upperBound, "clamp: lower bound \(lowerBound) above upper bound \(upperBound)")
        let result = Kernels.unary(ClampOperation(lowerBound: lowerBound, upperBound: upperBound), self)
        return Tensor.record("clamp", result: result, input: self) { gradient, sink in
            sink.accumulate(
                Kernels.zip(gradient, self) { g, x, o, n in
                    for i in 0..<n { o[i] = x[i] >= lowerBound && x[i] <= upperBound ? g[i] : 0 }
                }, forInput: 0)
        }
    }

    /// How ``gelu(approximation:)`` evaluates the Gaussian CDF (PyTorch's `approximate` argument).
    public enum GeluApproximation: Sendable {
        /// `x · Φ(x) = x/2 · (1 + erf(x/√2))` (PyTorch `approximate='none'`).
        case none
        /// `x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³)))` (PyTorch `approximate='tanh'`).
        case tanh
    }

    /// Gaussian error linear unit (Hendrycks & Gimpel 2016, arXiv:1606.08415), matching PyTorch's
    /// `torch.nn.functional.gelu`. The exact form uses libm `erff`.
    public func gelu(approximation: GeluApproximation = .none) -> Tensor {
        let result: Tensor
        switch approximation {
        case .none: result = Kernels.unary(GeluOperation(), self)
        case .tanh: result = Kernels.unary(GeluTanhOperation(), self)
        }
        return Tensor.record("gelu", result: result, input: self) { gradient, sink in
            let input = self
            let local: Tensor
            switch approximation {
            case .none: local = Kernels.unary(GeluDerivativeOperation(), input)
            case .tanh: local = Kernels.unary(GeluTanhDerivativeOperation(), input)
            }
            sink.accumulate(gradient * local, forInput: 0)
        }
    }
}

struct ExpOperation: UnaryOperation {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { FastMath.exp(x) }
}
struct LogOperation: UnaryOperation {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { logf(x) }
}
struct SquareRootOperation: UnaryOperation {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x.squareRoot() }
}
struct SquareOperation: UnaryOperation {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * x }
}
struct PowerOperation: UnaryOperation {
    let exponent: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { powf(x, exponent) }
}
struct PowerBinaryOperation: BinaryOperation {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { powf(a, b) }
}
struct TanhOperation: UnaryOperation {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { FastMath.tanh(x) }
}
struct SigmoidOperation: UnaryOperation {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { FastMath.sigmoid(x) }
}
struct AbsoluteOperation: UnaryOperation {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.abs(x) }
}
struct ClampOperation: UnaryOperation {
    let lowerBound: Float
    let upperBound: Float
    // NaN passes through (comparisons with NaN are false), as in PyTorch.
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        x < lowerBound ? lowerBound : (x > upperBound ? upperBound : x)
    }
}
struct ReluOperation: UnaryOperation {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : 0 }
}
struct GeluOperation: UnaryOperation {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * 0.70710678118654752)) }
}
struct GeluDerivativeOperation: UnaryOperation {
    // d/dx [x Φ(x)] = Φ(x) + x φ(x), φ(x) = e^{−x²/2} / √(2π)
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        0.5 * (1 + erff(x * 0.70710678118654752)) + x * 0.39894228040143268 * FastMath.exp(-0.5 * x * x)
    }
}
struct GeluTanhOperation: UnaryOperation {
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        0.5 * x * (1 + FastMath.tanh(0.79788456080286536 * (x + 0.044715 * x * x * x)))
    }
}
struct GeluTanhDerivativeOperation: UnaryOperation {
    // u = √(2/π)(x + 0.044715x³); d/dx = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        let t = FastMath.tanh(0.79788456080286536 * (x + 0.044715 * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * 0.79788456080286536 * (1 + 0.134145 * x * x)
    }
}
