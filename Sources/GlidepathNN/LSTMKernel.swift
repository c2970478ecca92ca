import GlidepathTensor

/// The fused LSTM layer op behind ``LSTM``: all directions of one layer over all time steps as one
/// graph node, computing only each sequence's real steps (PyTorch's packed-sequence semantics).
///
/// **Packing.** The sequences are ranked by decreasing length (ties by batch index), and the rows a
/// direction processes are laid out step-major — step `s` holds, in rank order, the `n_s` sequences longer
/// than `s` (PyTorch's `PackedSequence.batch_sizes`) — so every step's rows are one contiguous block and
/// the active sequences a prefix of the state. The forward direction's step `s` of sequence `b` reads
/// time `s`; the reverse direction's reads time `L_b − 1 − s`. Nothing is computed for padding, and
/// every sum runs over the `N = Σ L_b` packed rows in an order fixed by the lengths alone: the results
/// (outputs, final states and all gradients) are bit-for-bit the same however far the batch is padded.
///
/// Forward, per direction: the real positions' inputs gathered into `X_p [N, I]`, one GEMM
/// `X_p·W_ihᵀ` onto the summed biases, then per step one GEMM `h[0..<n_s]·W_hhᵀ` accumulated onto that
/// step's block and a fused loop for the gate nonlinearities and the cell update. Gate activations, cell
/// states, tanh(c) and h are saved per packed row (7H floats, plus `X_p`) for the backward pass — in
/// inference (gradients off, or no input requiring one) only the gates and `X_p` are per row.
///
/// Backward (backpropagation through time), per direction, from the last step to the first:
/// ```
/// dh += dy_t;  dc += dh ⊙ o ⊙ (1 − tanh²c_t)
/// dâ_i = dc ⊙ g ⊙ i(1−i);  dâ_f = dc ⊙ c_{t−1} ⊙ f(1−f);  dâ_g = dc ⊙ i ⊙ (1−g²);  dâ_o = dh ⊙ tanh c_t ⊙ o(1−o)
/// dh ← dâ·W_hh;  dc ← dc ⊙ f
/// ```
/// then `dW_hh = dÂᵀ·H_prev`, `dW_ih = dÂᵀ·X_p`, `db_ih = db_hh = Σ dÂ` and `dX_p = dÂ·W_ih` as large
/// GEMMs over the packed rows; `dX_p` is scattered back to the padded positions, direction 0 first.
/// A sequence that has not started its backward pass yet keeps its `dh`, `dc` (the gradients of its
/// final state) untouched, because the step's GEMM writes only the active prefix.
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

    /// Sizes, lengths and the packed layout of one layer.
    struct Geometry {
        let batch, steps, inputSize, hiddenSize, directions: Int
        let lengths: [Int]
        /// `order[r]`: the sequence of rank `r` (decreasing length, ties by increasing index).
        let order: [Int]
        /// `rank[b]`: the rank of sequence `b`.
        let rank: [Int]
        /// `active[s]`: the number of sequences longer than `s`, for `s < ` the longest length.
        let active: [Int]
        /// `offsets[s]`: the first packed row of step `s`; `offsets[longest]` is `N = Σ L_b`.
        let offsets: [Int]

        init(batch: Int, steps: Int, inputSize: Int, hiddenSize: Int, directions: Int, lengths: [Int]) {
            self.batch = batch
            self.steps = steps
            self.inputSize = inputSize
            self.hiddenSize = hiddenSize
            self.directions = directions
            self.lengths = lengths
            let order = (0..<batch).sorted { lengths[$0] > lengths[$1] || (lengths[$0] == lengths[$1] && $0 < $1) }
            var rank = [Int](repeating: 0, count: batch)
            for (r, b) in order.enumerated() { rank[b] = r }
            let longest = order.first.map { lengths[$0] } ?? 0
            var active = [Int](repeating: 0, count: longest)
            var count = batch
            for s in 0..<longest {
                while count > 0 && lengths[order[count - 1]] <= s { count -= 1 }
                active[s] = count
            }
            var offsets = [0]
            offsets.reserveCapacity(longest + 1)
            for s in 0..<longest { offsets.append(offsets[s] + active[s]) }
            self.order = order
            self.rank = rank
            self.active = active
            self.offsets = offsets
        }

        var gates: Int { 4 * hiddenSize }
        var outputWidth: Int { directions * hiddenSize }
        /// The longest length: the number of steps.
        var longest: Int { active.count }
        /// The number of packed rows, `Σ L_b`.
        var packedRows: Int { offsets[active.count] }

        /// The time index direction `direction` processes for sequence `b` at step `s` (valid when
        /// `s < lengths[b]`).
        @inline(__always)
        func time(_ direction: Int, _ b: Int, _ s: Int) -> Int {
            direction == 0 ? s : lengths[b] - 1 - s
        }

        /// Calls `body(packedRow, sequence, time)` for every real position of `direction`.
        @inline(__always)
        func forEachPosition(_ direction: Int, _ body: (Int, Int, Int) -> Void) {
            for s in 0..<active.count {
                let base = offsets[s]
                for r in 0..<active[s] {
                    let b = order[r]
                    body(base + r, b, time(direction, b, s))
                }
            }
        }
    }

    /// What the forward pass saves per direction for the backward pass, one row per packed position.
    struct Saved {
        /// Gate activations i, f, g, o `[N, 4H]`.
        let gates: Tensor
        /// Cell states `[N, H]`.
        let cells: Tensor
        /// tanh(c) `[N, H]`.
        let tanhCells: Tensor
        /// Hidden states `[N, H]`.
        let hidden: Tensor
        /// The gathered inputs `X_p [N, I]`.
        let inputs: Tensor

        /// Whether cells, tanh(c) and h are kept per packed row (a backward pass can follow); without,
        /// in inference, they are one row per sequence (rank), overwritten every step.
        let perPosition: Bool

        init(_ g: Geometry, forBackward: Bool) {
            let n = max(g.packedRows, 1)
            let stateRows = forBackward ? n : g.batch
            perPosition = forBackward
            gates = Tensor.scratch([n, g.gates])
            cells = Tensor.scratch([stateRows, g.hiddenSize])
            tanhCells = Tensor.scratch([stateRows, g.hiddenSize])
            hidden = Tensor.scratch([stateRows, g.hiddenSize])
            inputs = Tensor.scratch([n, g.inputSize])
        }

        struct Pointers {
            let gates, cells, tanhCells, hidden, inputs: UnsafeMutablePointer<Float>
            let perPosition: Bool
        }

        var pointers: Pointers {
            Pointers(
                gates: gates.mutableBase(), cells: cells.mutableBase(), tanhCells: tanhCells.mutableBase(),
                hidden: hidden.mutableBase(), inputs: inputs.mutableBase(), perPosition: perPosition)
        }
    }

    static func layer(input: Tensor, parameters: [LSTM.DirectionParameters], hiddenSize: Int, lengths: [Int])
        -> LayerResult
    {
        let g = Geometry(
            batch: input.shape[0], steps: input.shape[1], inputSize: input.shape[2],
            hiddenSize: hiddenSize, directions: parameters.count, lengths: lengths)
        var inputs = [input]
        for p in parameters { inputs += [p.inputWeight, p.hiddenWeight, p.inputBias, p.hiddenBias] }
        // In inference (no graph recorded) the per-position state for backpropagation is not kept.
        let forBackward = GradientMode.isEnabled && inputs.contains { $0.requiresGrad }
        let saved = (0..<g.directions).map { _ in Saved(g, forBackward: forBackward) }
        let outputs = Tensor.customOperation(
            name: "lstmLayer", inputs: inputs,
            outputShapes: [
                [g.batch, g.steps, g.outputWidth], [g.directions, g.batch, hiddenSize],
                [g.directions, g.batch, hiddenSize],
            ],
            forward: { buffers, outputs in
                let pointers = saved.map(\.pointers)
                runDirections(g.directions) { d in
                    forwardDirection(
                        d, g, x: buffers[0].base, inputWeight: buffers[1 + 4 * d].base,
                        hiddenWeight: buffers[2 + 4 * d].base, inputBias: buffers[3 + 4 * d].base,
                        hiddenBias: buffers[4 + 4 * d].base, output: outputs[0].base,
                        finalHidden: outputs[1].base, finalCell: outputs[2].base, saved: pointers[d])
                }
            },
            backward: { context in
                // Every packed row is written by the backward pass.
                let rows = max(g.packedRows, 1)
                let gradientsOfGates = (0..<g.directions).map { _ in Tensor.scratch([rows, g.gates]) }
                let needsInput = context.inputGradients[0] != nil
                let packedInputGradients = (0..<g.directions).map { _ in
                    needsInput ? Tensor.scratch([rows, g.inputSize]) : nil
                }
                let gradientPointers = gradientsOfGates.map { $0.mutableBase() }
                let inputGradientPointers = packedInputGradients.map { $0?.mutableBase() }
                let pointers = saved.map(\.pointers)
                runDirections(g.directions) { d in
                    backwardDirection(
                        d, g, context: context, saved: pointers[d], gateGradients: gradientPointers[d],
                        packedInputGradient: inputGradientPointers[d])
                }
                if let dx = context.inputGradients[0]?.base {
                    // dX [B, T, I] += dX_p of each direction at its positions, direction 0 first.
                    let width = g.inputSize
                    for d in 0..<g.directions {
                        guard let packed = inputGradientPointers[d] else { continue }
                        g.forEachPosition(d) { row, b, t in
                            let target = dx + (b * g.steps + t) * width, source = packed + row * width
                            for j in 0..<width { target[j] += source[j] }
                        }
                    }
                }
                withExtendedLifetime((gradientsOfGates, packedInputGradients, saved)) {}
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
        finalCell: UnsafeMutablePointer<Float>, saved: Saved.Pointers
    ) {
        let H = g.hiddenSize, G = g.gates, T = g.steps, I = g.inputSize, width = g.outputWidth, B = g.batch
        let N = g.packedRows
        let backend = Engine.backend
        let gates = saved.gates
        // X_p: the real positions' inputs in packed order.
        g.forEachPosition(d) { row, b, t in
            (saved.inputs + row * I).update(from: x + (b * T + t) * I, count: I)
        }
        // Input projection of every packed row onto b_ih + b_hh.
        let biasSum = UnsafeMutablePointer<Float>.allocate(capacity: G)
        defer { biasSum.deallocate() }
        for j in 0..<G { biasSum[j] = inputBias[j] + hiddenBias[j] }
        for p in 0..<N { (gates + p * G).update(from: biasSum, count: G) }
        backend.gemm(
            transposeA: false, transposeB: true, m: N, n: G, k: I,
            alpha: 1, a: saved.inputs, lda: I, b: inputWeight, ldb: I,
            beta: 1, c: gates, ldc: G)
        // h, c by rank: the active sequences of a step are the first `active[s]` rows.
        let state = UnsafeMutablePointer<Float>.allocate(capacity: 2 * B * H)
        defer { state.deallocate() }
        let h = state, c = state + B * H
        state.initialize(repeating: 0, count: 2 * B * H)
        for s in 0..<g.longest {
            let m = g.active[s], base = g.offsets[s]
            if s > 0 {
                // The step's block [m, 4H] += h[0..<m] · W_hhᵀ (h_0 = 0 adds nothing at the first step).
                backend.gemm(
                    transposeA: false, transposeB: true, m: m, n: G, k: H, alpha: 1, a: h, lda: H,
                    b: hiddenWeight, ldb: H, beta: 1, c: gates + base * G, ldc: G)
            }
            for r in 0..<m {
                let p = base + r, b = g.order[r]
                cellForward(gates + p * G, c + r * H, h + r * H, saved.tanhCells + (saved.perPosition ? p : r) * H, H)
                if saved.perPosition {
                    (saved.cells + p * H).update(from: c + r * H, count: H)
                    (saved.hidden + p * H).update(from: h + r * H, count: H)
                }
                (output + (b * T + g.time(d, b, s)) * width + d * H).update(from: h + r * H, count: H)
            }
        }
        for b in 0..<B {
            for t in g.lengths[b]..<T { (output + (b * T + t) * width + d * H).update(repeating: 0, count: H) }
            let r = g.rank[b]
            (finalHidden + (d * B + b) * H).update(from: h + r * H, count: H)
            (finalCell + (d * B + b) * H).update(from: c + r * H, count: H)
        }
    }

    /// Gate nonlinearities and the cell update for one sequence at one step. `row` holds the input
    /// projection plus biases plus the recurrent term and receives the activations i, f, g, o;
    /// `tanhCell` receives tanh(c_t) for the backward pass. Written as short loops over at most four arrays each, so that the
    /// compiler's runtime alias checks stay within its limits and every loop vectorises.
    @inline(__always)
    static func cellForward(
        _ row: UnsafeMutablePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ h: UnsafeMutablePointer<Float>,
        _ tanhCell: UnsafeMutablePointer<Float>, _ H: Int
    ) {
        for j in 0..<(2 * H) { row[j] = FastMath.sigmoid(row[j]) }
        for j in (2 * H)..<(3 * H) { row[j] = FastMath.tanh(row[j]) }
        for j in (3 * H)..<(4 * H) { row[j] = FastMath.sigmoid(row[j]) }
        let i = UnsafePointer(row), f = UnsafePointer(row + H), gg = UnsafePointer(row + 2 * H),
            o = UnsafePointer(row + 3 * H)
        for j in 0..<H { c[j] = f[j] * c[j] + i[j] * gg[j] }
        for j in 0..<H { tanhCell[j] = FastMath.tanh(c[j]) }
        for j in 0..<H { h[j] = o[j] * tanhCell[j] }
    }

    static func backwardDirection(
        _ d: Int, _ g: Geometry, context: CustomBackwardContext, saved: Saved.Pointers,
        gateGradients: UnsafeMutablePointer<Float>, packedInputGradient: UnsafeMutablePointer<Float>?
    ) {
        let H = g.hiddenSize, G = g.gates, T = g.steps, B = g.batch, I = g.inputSize, width = g.outputWidth
        let N = g.packedRows
        let backend = Engine.backend
        let hiddenWeight = context.inputs[2 + 4 * d].base
        let dy = context.outputGradients[0].base
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * B * H + H)
        defer { scratch.deallocate() }
        let dh = scratch, dc = scratch + B * H, zeros = scratch + 2 * B * H
        zeros.initialize(repeating: 0, count: H)
        // The gradients of the final states, by rank.
        let finalHidden = context.outputGradients[1].base + d * B * H,
            finalCell = context.outputGradients[2].base + d * B * H
        for b in 0..<B {
            let r = g.rank[b]
            (dh + r * H).initialize(from: finalHidden + b * H, count: H)
            (dc + r * H).initialize(from: finalCell + b * H, count: H)
        }
        for s in stride(from: g.longest - 1, through: 0, by: -1) {
            let m = g.active[s], base = g.offsets[s]
            for r in 0..<m {
                let b = g.order[r], p = base + r
                let previousCell =
                    s == 0 ? UnsafePointer(zeros) : UnsafePointer(saved.cells + (g.offsets[s - 1] + r) * H)
                cellBackward(
                    saved.gates + p * G, saved.tanhCells + p * H, previousCell,
                    dy + (b * T + g.time(d, b, s)) * width + d * H, dh + r * H, dc + r * H,
                    gateGradients + p * G, H)
            }
            // dh_{s−1}[0..<m] = dÂ_s [m, 4H] · W_hh [4H, H]; the rows of sequences not yet started keep theirs.
            if s > 0 {
                backend.gemm(
                    transposeA: false, transposeB: false, m: m, n: H, k: G, alpha: 1, a: gateGradients + base * G,
                    lda: G, b: hiddenWeight, ldb: H, beta: 0, c: dh, ldc: H)
            }
        }
        if let dWhh = context.inputGradients[2 + 4 * d]?.base, g.longest > 1 {
            // H_prev for the rows of steps ≥ 1: the same rank's h at the step before (h_0 = 0 contributes nothing).
            let first = g.offsets[1], rows = N - first
            let previousHidden = Tensor.scratch([rows, H])
            let hp = previousHidden.mutableBase()
            for s in 1..<g.longest {
                (hp + (g.offsets[s] - first) * H).update(
                    from: saved.hidden + g.offsets[s - 1] * H, count: g.active[s] * H)
            }
            backend.gemm(
                transposeA: true, transposeB: false, m: G, n: H, k: rows, alpha: 1,
                a: gateGradients + first * G, lda: G, b: hp, ldb: H, beta: 1, c: dWhh, ldc: H)
            withExtendedLifetime(previousHidden) {}
        }
        if let dWih = context.inputGradients[1 + 4 * d]?.base {
            backend.gemm(
                transposeA: true, transposeB: false, m: G, n: I, k: N, alpha: 1,
                a: gateGradients, lda: G, b: saved.inputs, ldb: I, beta: 1, c: dWih, ldc: I)
        }
        let dbih = context.inputGradients[3 + 4 * d]?.base, dbhh = context.inputGradients[4 + 4 * d]?.base
        if dbih != nil || dbhh != nil {
            let total = UnsafeMutablePointer<Float>.allocate(capacity: G)
            defer { total.deallocate() }
            total.initialize(repeating: 0, count: G)
            for p in 0..<N {
                let row = gateGradients + p * G
                for j in 0..<G { total[j] += row[j] }
            }
            if let dbih { for j in 0..<G { dbih[j] += total[j] } }
            if let dbhh { for j in 0..<G { dbhh[j] += total[j] } }
        }
        if let packedInputGradient {
            // dX_p [N, I] = dÂ [N, 4H] · W_ih [4H, I]
            backend.gemm(
                transposeA: false, transposeB: false, m: N, n: I, k: G, alpha: 1, a: gateGradients, lda: G,
                b: context.inputs[1 + 4 * d].base, ldb: I, beta: 0, c: packedInputGradient, ldc: I)
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
