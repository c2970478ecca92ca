import GlidepathTensor

/// The fused LSTM layer op behind ``LSTM``: all directions of one layer over all time steps as one
/// graph node.
///
/// Forward, per direction: one GEMM `X·W_ihᵀ` for the input projection of every position (onto the
/// summed biases), then per step one GEMM `h·W_hhᵀ` and a fused loop for the gate nonlinearities and
/// the cell update. Gate activations, cell states and tanh(c) are saved per position (6H floats) for the
/// backward pass; the activations overwrite the projections in place, and `h_{t−1}` is read back from
/// the output.
///
/// Backward (backpropagation through time), per direction, from the last step to the first:
/// ```
/// dh += dy_t;  dc += dh ⊙ o ⊙ (1 − tanh²c_t)
/// dâ_i = dc ⊙ g ⊙ i(1−i);  dâ_f = dc ⊙ c_{t−1} ⊙ f(1−f);  dâ_g = dc ⊙ i ⊙ (1−g²);  dâ_o = dh ⊙ tanh c_t ⊙ o(1−o)
/// dh ← dâ·W_hh;  dc ← dc ⊙ f
/// ```
/// then `dW_hh = dÂᵀ·H_prev`, `dW_ih = dÂᵀ·X`, `db_ih = db_hh = Σ dÂ`, `dX = Σ_dir dÂ·W_ih` as four
/// large GEMMs over all positions. Sequences past their length carry their state unchanged and get
/// no gate gradient (masking).
///
/// With two directions and two or more engine threads, the directions run concurrently (``ThreadPair``)
/// with BLAS at one thread each (`docs/engine.md`, "Design measurements": splitting work one level above BLAS scales
/// better on 2 cores than BLAS's own threads on these small GEMMs).
enum LSTMKernel {
    struct LayerResult {
        let output: Tensor
        let hidden: Tensor
        let cell: Tensor
    }

    /// Sizes and lengths of one layer.
    struct Geometry {
        let batch, steps, inputSize, hiddenSize, directions: Int
        let lengths: [Int]
        /// Whether every sequence has the same length: then the rows of one step lie at a fixed stride
        /// in the position-major buffers and the per-step GEMMs read them in place.
        var uniform: Bool { lengths.allSatisfy { $0 == lengths[0] } }
        var gates: Int { 4 * hiddenSize }
        var positions: Int { batch * steps }
        var outputWidth: Int { directions * hiddenSize }

        /// The time index direction `direction` processes for sequence `b` at step `s` (valid when
        /// `s < lengths[b]`).
        @inline(__always)
        func time(_ direction: Int, _ b: Int, _ s: Int) -> Int {
            direction == 0 ? s : lengths[b] - 1 - s
        }
    }

    static func layer(input: Tensor, parameters: [LSTM.DirectionParameters], hiddenSize: Int, lengths: [Int]) -> LayerResult {
        let g = Geometry(batch: input.shape[0], steps: input.shape[1], inputSize: input.shape[2],
                         hiddenSize: hiddenSize, directions: parameters.count, lengths: lengths)
        let savedGates = (0..<g.directions).map { _ in Tensor.scratch([g.positions, g.gates]) }
        let savedCells = (0..<g.directions).map { _ in Tensor.scratch([g.positions, g.hiddenSize]) }
        let savedTanh = (0..<g.directions).map { _ in Tensor.scratch([g.positions, g.hiddenSize]) }
        var inputs = [input]
        for p in parameters { inputs += [p.inputWeight, p.hiddenWeight, p.inputBias, p.hiddenBias] }
        let outputs = Tensor.customOperation(
            name: "lstmLayer", inputs: inputs,
            outputShapes: [[g.batch, g.steps, g.outputWidth], [g.directions, g.batch, hiddenSize],
                           [g.directions, g.batch, hiddenSize]],
            forward: { buffers, outputs in
                let gatePointers = savedGates.map { $0.mutableBase() }
                let cellPointers = savedCells.map { $0.mutableBase() }
                let tanhPointers = savedTanh.map { $0.mutableBase() }
                runDirections(g.directions) { d in
                    forwardDirection(d, g, x: buffers[0].base, inputWeight: buffers[1 + 4 * d].base,
                                     hiddenWeight: buffers[2 + 4 * d].base, inputBias: buffers[3 + 4 * d].base,
                                     hiddenBias: buffers[4 + 4 * d].base, output: outputs[0].base,
                                     finalHidden: outputs[1].base, finalCell: outputs[2].base,
                                     gates: gatePointers[d], cells: cellPointers[d], tanhCells: tanhPointers[d])
                }
            },
            backward: { context in
                // Every active position's row is written by the backward pass; padded rows are zeroed there.
                let gradientsOfGates = (0..<g.directions).map { _ in Tensor.scratch([g.positions, g.gates]) }
                let gradientPointers = gradientsOfGates.map { $0.mutableBase() }
                let gatePointers = savedGates.map { $0.mutableBase() }
                let cellPointers = savedCells.map { $0.mutableBase() }
                let tanhPointers = savedTanh.map { $0.mutableBase() }
                runDirections(g.directions) { d in
                    backwardDirection(d, g, context: context, gates: gatePointers[d], cells: cellPointers[d],
                                      tanhCells: tanhPointers[d], gateGradients: gradientPointers[d])
                }
                if let dx = context.inputGradients[0]?.base {
                    // dX [B·T, I] += Σ_dir dÂ [B·T, 4H] · W_ih [4H, I]; with two threads each takes half the
                    // rows (BLAS at one thread each), summing the directions in the same order.
                    let parts = Engine.threadCount >= 2 && g.positions >= 2 ? 2 : 1
                    let rows: (Int) -> Void = { part in
                        let start = part * g.positions / parts, end = (part + 1) * g.positions / parts
                        let backend = Engine.backend
                        for d in 0..<g.directions {
                            backend.gemm(transposeA: false, transposeB: false, m: end - start, n: g.inputSize, k: g.gates,
                                         alpha: 1, a: gradientPointers[d] + start * g.gates, lda: g.gates,
                                         b: context.inputs[1 + 4 * d].base, ldb: g.inputSize, beta: 1,
                                         c: dx + start * g.inputSize, ldc: g.inputSize)
                        }
                    }
                    if parts == 2 {
                        Engine.withSingleThreadedBackend { ThreadPair.run(rows) }
                    } else {
                        rows(0)
                    }
                }
                withExtendedLifetime((gradientsOfGates, savedGates, savedCells, savedTanh)) {}
            })
        return LayerResult(output: outputs[0], hidden: outputs[1], cell: outputs[2])
    }

    /// Runs `body` for each direction: concurrently (BLAS at one thread) when there are two directions
    /// and two or more engine threads, else in order.
    static func runDirections(_ directions: Int, _ body: (Int) -> Void) {
        if directions == 2 && Engine.threadCount >= 2 {
            Engine.withSingleThreadedBackend { ThreadPair.run(body) }
        } else {
            for d in 0..<directions { body(d) }
        }
    }

    static func forwardDirection(
        _ d: Int, _ g: Geometry, x: UnsafePointer<Float>, inputWeight: UnsafePointer<Float>,
        hiddenWeight: UnsafePointer<Float>, inputBias: UnsafePointer<Float>, hiddenBias: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, finalHidden: UnsafeMutablePointer<Float>,
        finalCell: UnsafeMutablePointer<Float>, gates: UnsafeMutablePointer<Float>, cells: UnsafeMutablePointer<Float>,
        tanhCells: UnsafeMutablePointer<Float>
    ) {
        let H = g.hiddenSize, G = g.gates, T = g.steps, width = g.outputWidth
        let backend = Engine.backend
        // Input projection of every position onto b_ih + b_hh.
        let biasSum = UnsafeMutablePointer<Float>.allocate(capacity: G)
        defer { biasSum.deallocate() }
        for j in 0..<G { biasSum[j] = inputBias[j] + hiddenBias[j] }
        for p in 0..<g.positions { (gates + p * G).update(from: biasSum, count: G) }
        backend.gemm(transposeA: false, transposeB: true, m: g.positions, n: G, k: g.inputSize,
                     alpha: 1, a: x, lda: g.inputSize, b: inputWeight, ldb: g.inputSize,
                     beta: 1, c: gates, ldc: G)
        let state = UnsafeMutablePointer<Float>.allocate(capacity: 2 * g.batch * H + g.batch * G)
        defer { state.deallocate() }
        let h = state, c = state + g.batch * H, recurrent = state + 2 * g.batch * H
        h.initialize(repeating: 0, count: 2 * g.batch * H)
        let uniform = g.uniform
        for s in 0..<T {
            if uniform {
                // Equal lengths: the step's rows lie at stride T·4H, so the GEMM accumulates h·W_hhᵀ onto
                // the input projections in place.
                guard s < g.lengths[0] else { break }
                backend.gemm(transposeA: false, transposeB: true, m: g.batch, n: G, k: H, alpha: 1, a: h, lda: H,
                             b: hiddenWeight, ldb: H, beta: 1, c: gates + g.time(d, 0, s) * G, ldc: T * G)
            } else {
                // recurrent [B, 4H] = h [B, H] · W_hhᵀ
                backend.gemm(transposeA: false, transposeB: true, m: g.batch, n: G, k: H,
                             alpha: 1, a: h, lda: H, b: hiddenWeight, ldb: H, beta: 0, c: recurrent, ldc: G)
            }
            for b in 0..<g.batch where s < g.lengths[b] {
                let position = b * T + g.time(d, b, s)
                let row = gates + position * G
                cellForward(row, uniform ? nil : UnsafePointer(recurrent + b * G), c + b * H, h + b * H,
                            tanhCells + position * H, H)
                (cells + position * H).update(from: c + b * H, count: H)
                (output + position * width + d * H).update(from: h + b * H, count: H)
            }
        }
        for b in 0..<g.batch {
            for t in g.lengths[b]..<T { (output + (b * T + t) * width + d * H).update(repeating: 0, count: H) }
        }
        (finalHidden + d * g.batch * H).update(from: h, count: g.batch * H)
        (finalCell + d * g.batch * H).update(from: c, count: g.batch * H)
    }

    /// Gate nonlinearities and the cell update for one sequence at one step. `row` holds the input
    /// projection plus biases (plus the recurrent term, when `recurrent` is nil) and receives the
    /// activations i, f, g, o; `tanhCell` receives tanh(c_t)
    /// for the backward pass. Written as short loops over at most four arrays each, so that the
    /// compiler's runtime alias checks stay within its limits and every loop vectorises.
    @inline(__always)
    static func cellForward(
        _ row: UnsafeMutablePointer<Float>, _ recurrent: UnsafePointer<Float>?,
        _ c: UnsafeMutablePointer<Float>, _ h: UnsafeMutablePointer<Float>, _ tanhCell: UnsafeMutablePointer<Float>, _ H: Int
    ) {
        if let recurrent { for j in 0..<(4 * H) { row[j] += recurrent[j] } }
        for j in 0..<(2 * H) { row[j] = FastMath.sigmoid(row[j]) }
        for j in (2 * H)..<(3 * H) { row[j] = FastMath.tanh(row[j]) }
        for j in (3 * H)..<(4 * H) { row[j] = FastMath.sigmoid(row[j]) }
        let i = UnsafePointer(row), f = UnsafePointer(row + H), gg = UnsafePointer(row + 2 * H), o = UnsafePointer(row + 3 * H)
        for j in 0..<H { c[j] = f[j] * c[j] + i[j] * gg[j] }
        for j in 0..<H { tanhCell[j] = FastMath.tanh(c[j]) }
        for j in 0..<H { h[j] = o[j] * tanhCell[j] }
    }

    static func backwardDirection(
        _ d: Int, _ g: Geometry, context: CustomBackwardContext, gates: UnsafeMutablePointer<Float>,
        cells: UnsafeMutablePointer<Float>, tanhCells: UnsafeMutablePointer<Float>, gateGradients: UnsafeMutablePointer<Float>
    ) {
        let H = g.hiddenSize, G = g.gates, T = g.steps, B = g.batch, width = g.outputWidth
        let backend = Engine.backend
        let x = context.inputs[0].base
        let hiddenWeight = context.inputs[2 + 4 * d].base
        let output = context.outputs[0].base
        let dy = context.outputGradients[0].base
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 3 * B * H + B * G + H)
        defer { scratch.deallocate() }
        let dh = scratch, dc = scratch + B * H, previous = scratch + 2 * B * H
        let stepGradients = scratch + 3 * B * H, zeros = scratch + 3 * B * H + B * G
        zeros.initialize(repeating: 0, count: H)
        dh.initialize(from: context.outputGradients[1].base + d * B * H, count: B * H)
        dc.initialize(from: context.outputGradients[2].base + d * B * H, count: B * H)
        for b in 0..<B {
            for t in g.lengths[b]..<T { (gateGradients + (b * T + t) * G).update(repeating: 0, count: G) }
        }
        let uniform = g.uniform
        for s in stride(from: T - 1, through: 0, by: -1) {
            if uniform {
                // All sequences are at the same time index: write the gate gradients in place and let the
                // GEMM read the step's rows at stride T·4H.
                guard s < g.lengths[0] else { continue }
                let t = g.time(d, 0, s)
                for b in 0..<B {
                    let position = b * T + t
                    let previousCell = s == 0 ? UnsafePointer(zeros) : UnsafePointer(cells + (b * T + g.time(d, b, s - 1)) * H)
                    cellBackward(gates + position * G, tanhCells + position * H, previousCell,
                                 dy + position * width + d * H, dh + b * H, dc + b * H, gateGradients + position * G, H)
                }
                backend.gemm(transposeA: false, transposeB: false, m: B, n: H, k: G, alpha: 1, a: gateGradients + t * G,
                             lda: T * G, b: hiddenWeight, ldb: H, beta: 0, c: dh, ldc: H)
                continue
            }
            for b in 0..<B {
                let stepRow = stepGradients + b * G
                guard s < g.lengths[b] else {
                    stepRow.update(repeating: 0, count: G)
                    continue
                }
                let t = g.time(d, b, s)
                let position = b * T + t
                let previousCell = s == 0 ? UnsafePointer(zeros) : UnsafePointer(cells + (b * T + g.time(d, b, s - 1)) * H)
                cellBackward(gates + position * G, tanhCells + position * H, previousCell,
                             dy + position * width + d * H, dh + b * H, dc + b * H, stepRow, H)
                (gateGradients + position * G).update(from: stepRow, count: G)
            }
            // dh_{t−1} [B, H] = dÂ_t [B, 4H] · W_hh [4H, H]; sequences past their length keep dh.
            backend.gemm(transposeA: false, transposeB: false, m: B, n: H, k: G, alpha: 1, a: stepGradients, lda: G,
                         b: hiddenWeight, ldb: H, beta: 0, c: previous, ldc: H)
            for b in 0..<B where s < g.lengths[b] { (dh + b * H).update(from: previous + b * H, count: H) }
        }
        if let dWhh = context.inputGradients[2 + 4 * d]?.base {
            // H_prev by position: h at the previous step of this direction, zero at the first step and
            // on padded rows.
            let previousHidden = Tensor.scratch([g.positions, H])
            let hp = previousHidden.mutableBase()
            for b in 0..<B {
                (hp + (b * T + g.time(d, b, 0)) * H).update(repeating: 0, count: H)
                for t in g.lengths[b]..<T { (hp + (b * T + t) * H).update(repeating: 0, count: H) }
                for s in 1..<max(g.lengths[b], 1) {
                    let position = b * T + g.time(d, b, s), earlier = b * T + g.time(d, b, s - 1)
                    (hp + position * H).update(from: output + earlier * width + d * H, count: H)
                }
            }
            backend.gemm(transposeA: true, transposeB: false, m: G, n: H, k: g.positions, alpha: 1,
                         a: gateGradients, lda: G, b: hp, ldb: H, beta: 1, c: dWhh, ldc: H)
            withExtendedLifetime(previousHidden) {}
        }
        if let dWih = context.inputGradients[1 + 4 * d]?.base {
            backend.gemm(transposeA: true, transposeB: false, m: G, n: g.inputSize, k: g.positions, alpha: 1,
                         a: gateGradients, lda: G, b: x, ldb: g.inputSize, beta: 1, c: dWih, ldc: g.inputSize)
        }
        let dbih = context.inputGradients[3 + 4 * d]?.base, dbhh = context.inputGradients[4 + 4 * d]?.base
        if dbih != nil || dbhh != nil {
            let total = UnsafeMutablePointer<Float>.allocate(capacity: G)
            defer { total.deallocate() }
            total.initialize(repeating: 0, count: G)
            for p in 0..<g.positions {
                let row = gateGradients + p * G
                for j in 0..<G { total[j] += row[j] }
            }
            if let dbih { for j in 0..<G { dbih[j] += total[j] } }
            if let dbhh { for j in 0..<G { dbhh[j] += total[j] } }
        }
    }

    /// One step of backpropagation through the cell for one sequence; see the type's formulas. `dh`
    /// arrives holding the gradient from the step after and leaves holding dh + dy; `dc` leaves holding
    /// the gradient for the previous cell state. Short loops for vectorisation (see ``cellForward``).
    @inline(__always)
    static func cellBackward(
        _ activations: UnsafePointer<Float>, _ tanhCell: UnsafePointer<Float>, _ previousCell: UnsafePointer<Float>,
        _ dy: UnsafePointer<Float>, _ dh: UnsafeMutablePointer<Float>, _ dc: UnsafeMutablePointer<Float>,
        _ result: UnsafeMutablePointer<Float>, _ H: Int
    ) {
        let i = activations, f = activations + H, gg = activations + 2 * H, o = activations + 3 * H
        let di = result, df = result + H, dg = result + 2 * H, dO = result + 3 * H
        for j in 0..<H { dh[j] += dy[j] }
        for j in 0..<H { dc[j] += dh[j] * o[j] * (1 - tanhCell[j] * tanhCell[j]) }
        for j in 0..<H { dO[j] = dh[j] * tanhCell[j] * o[j] * (1 - o[j]) }
        for j in 0..<H { di[j] = dc[j] * gg[j] * i[j] * (1 - i[j]) }
        for j in 0..<H { dg[j] = dc[j] * i[j] * (1 - gg[j] * gg[j]) }
        for j in 0..<H { df[j] = dc[j] * previousCell[j] * f[j] * (1 - f[j]) }
        for j in 0..<H { dc[j] *= f[j] }
    }
}
