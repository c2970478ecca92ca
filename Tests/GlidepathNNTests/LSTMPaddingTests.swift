import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// The LSTM reads only each sequence's real steps (packed-sequence semantics), so the padding of a batch
/// changes nothing: the same batch padded to its longest sequence and padded further (with arbitrary
/// values in the padding) gives bit-identical outputs, final states and gradients.
@Suite("LSTM padding independence")
struct LSTMPaddingTests {
    /// The batch `x` (`[B, T, I]`, real values at t < L_b) padded to `width ≥ T` steps, the padding filled
    /// with values drawn from `seed` (never read).
    static func padded(_ x: Tensor, lengths: [Int], width: Int, seed: UInt64) -> Tensor {
        let (batch, steps, features) = (x.shape[0], x.shape[1], x.shape[2])
        let real = x.scalars, noise = randomTensor([batch, width, features], seed: seed, low: -5, high: 5).scalars
        return Tensor.make(shape: [batch, width, features]) { buffer in
            for b in 0..<batch {
                for t in 0..<width {
                    for i in 0..<features {
                        let target = (b * width + t) * features + i
                        buffer[target] = t < lengths[b] ? real[(b * steps + t) * features + i] : noise[target]
                    }
                }
            }
        }
    }

    struct Result: Equatable {
        /// Outputs at t < longest, h_n, c_n, the last layer's hidden states.
        let values: [Float]
        /// dL/dx at t < longest.
        let inputGradient: [Float]
        /// dL/dx at the padding beyond the longest sequence.
        let paddingGradient: [Float]
        let parameterGradients: [[Float]]
    }

    /// Runs `lstm` on `x` with `lengths` and back-propagates a fixed projection of the outputs up to
    /// step `longest`.
    static func run(_ lstm: LSTM, _ x: Tensor, lengths: [Int], longest: Int) throws -> Result {
        for parameter in lstm.parameters { parameter.clearGradient() }
        let input = leaf(x)
        let output = try lstm(input, lengths: lengths)
        let prefix = output.output.sliced(alongAxis: 1, 0..<longest)
        let combined = Tensor.concatenate(
            [
                prefix.flattened(), output.hidden.flattened(), output.cell.flattened(),
                output.lastLayerHidden.flattened(),
            ], alongAxis: 0)
        (combined * projection(combined.shape)).sum().backward()
        let gradient = try #require(input.grad)
        let width = x.shape[1]
        return Result(
            values: combined.scalars,
            inputGradient: gradient.sliced(alongAxis: 1, 0..<longest).contiguous().scalars,
            paddingGradient: width > longest ? gradient.sliced(alongAxis: 1, longest..<width).contiguous().scalars : [],
            parameterGradients: lstm.parameters.map { $0.grad?.scalars ?? [] })
    }

    @Test(arguments: [1, 2])
    func paddedTo64MatchesPaddedToTheLongest(layers: Int) throws {
        var generator = SeededGenerator(seed: 41)
        let lstm = try LSTM(inputSize: 5, hiddenSize: 6, layerCount: layers, bidirectional: true, using: &generator)
        let lengths = [7, 3, 9, 1, 9, 4]
        let longest = lengths.max() ?? 1
        let x = randomTensor([lengths.count, longest, 5], seed: 42)
        let tight = try Self.run(
            lstm, Self.padded(x, lengths: lengths, width: longest, seed: 43), lengths: lengths,
            longest: longest)
        let wide = try Self.run(
            lstm, Self.padded(x, lengths: lengths, width: 64, seed: 44), lengths: lengths,
            longest: longest)
        #expect(tight.values == wide.values)
        #expect(tight.inputGradient == wide.inputGradient)
        #expect(tight.parameterGradients == wide.parameterGradients)
        #expect(wide.paddingGradient.allSatisfy { $0 == 0 })
        #expect(tight.parameterGradients.allSatisfy { !$0.isEmpty && $0.contains { $0 != 0 } })
    }

    /// The outputs beyond a sequence's length are zero, and its input gradient there is zero.
    @Test func outputsAndGradientsBeyondTheLengthAreZero() throws {
        var generator = SeededGenerator(seed: 45)
        let lstm = try LSTM(inputSize: 3, hiddenSize: 4, bidirectional: true, using: &generator)
        let lengths = [2, 5, 3]
        let x = leaf(randomTensor([3, 8, 3], seed: 46))
        let output = try lstm(x, lengths: lengths)
        (output.output * projection(output.output.shape)).sum().backward()
        let values = output.output.scalars, gradient = try #require(x.grad).scalars
        for (b, length) in lengths.enumerated() {
            for t in length..<8 {
                #expect(values[((b * 8 + t) * 8)..<((b * 8 + t + 1) * 8)].allSatisfy { $0 == 0 })
                #expect(gradient[((b * 8 + t) * 3)..<((b * 8 + t + 1) * 3)].allSatisfy { $0 == 0 })
            }
        }
    }

    /// The batch order does not matter either: each sequence's final state is the same when the batch
    /// is permuted (the packed layout ranks sequences by length, ties by index).
    @Test func batchOrderDoesNotChangeASequencesResult() throws {
        var generator = SeededGenerator(seed: 47)
        let lstm = try LSTM(inputSize: 3, hiddenSize: 4, bidirectional: true, using: &generator)
        let lengths = [4, 6, 2]
        let x = randomTensor([3, 6, 3], seed: 48)
        let permutation = [2, 0, 1]
        let permuted = Tensor.stack(permutation.map { x.selecting(index: $0, alongAxis: 0) }, alongAxis: 0)
        let a = try lstm(x, lengths: lengths).lastLayerHidden.scalars
        let b = try lstm(permuted, lengths: permutation.map { lengths[$0] }).lastLayerHidden.scalars
        for (row, original) in permutation.enumerated() {
            let permutedRow: [Float] = Array(b[(row * 8)..<((row + 1) * 8)])
            let originalRow: [Float] = Array(a[(original * 8)..<((original + 1) * 8)])
            #expect(permutedRow == originalRow)
        }
    }
}
