import Foundation
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

@Suite("Model and optimizer state")
struct StateTests {
    func model(seed: UInt64) throws -> Sequential {
        var generator = SeededGenerator(seed: seed)
        return Sequential([
            try Linear(inputFeatures: 3, outputFeatures: 4, using: &generator),
            try BatchNorm.oneDimensional(features: 4), Activation(.relu),
            try Linear(inputFeatures: 4, outputFeatures: 2, using: &generator),
        ])
    }

    func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("glidepath-nn-\(UUID().uuidString)-\(name)")
    }

    @Test func roundTripRestoresEveryParameterAndBuffer() throws {
        let source = try model(seed: 1)
        _ = source(randomTensor([5, 3], seed: 2))  // moves the running statistics
        let url = temporaryURL("model.gpt")
        defer { try? FileManager.default.removeItem(at: url) }
        try source.saveState(to: url)
        let target = try model(seed: 3)
        try target.loadState(from: url)
        for (a, b) in zip(source.namedParameters + source.namedBuffers, target.namedParameters + target.namedBuffers) {
            #expect(a.name == b.name)
            #expect(a.tensor.scalars == b.tensor.scalars, "\(a.name)")
        }
        #expect(source.namedBuffers.map(\.name) == ["1.running_mean", "1.running_var", "1.num_batches_tracked"])
    }

    /// Every load error leaves the target unchanged: its state equals the snapshot taken before.
    func expectUnchanged(_ target: Sequential, after archive: TensorArchive, throws expected: StateFileError) throws {
        let before = target.stateArchive()
        #expect(throws: expected) { try target.loadState(archive) }
        #expect(target.stateArchive() == before)
    }

    @Test func missingExtraAndMismatchedTensorsAreNamedAndNothingIsHalfLoaded() throws {
        let source = try model(seed: 4).stateArchive()
        let target = try model(seed: 5)
        var missing = source
        missing.entries.removeAll { $0.name == "3.bias" }
        try expectUnchanged(target, after: missing, throws: .missingTensor(name: "3.bias"))
        var extra = source
        extra.entries.append(.init(name: "4.weight", shape: [1], values: [0]))
        try expectUnchanged(target, after: extra, throws: .unexpectedTensor(name: "4.weight"))
        var mismatched = source
        // The last entry checked is the buffer; make it wrong so that earlier entries would have been
        // written by a loader that writes as it goes.
        let index = try #require(mismatched.entries.firstIndex { $0.name == "1.num_batches_tracked" })
        mismatched.entries[index] = .init(name: "1.num_batches_tracked", shape: [2], values: [0, 0])
        try expectUnchanged(
            target, after: mismatched, throws: .shapeMismatch(name: "1.num_batches_tracked", expected: [], found: [2]))
        var wrongKind = source
        wrongKind.kind = "optimizer.adam"
        try expectUnchanged(target, after: wrongKind, throws: .wrongKind(expected: "model", found: "optimizer.adam"))
    }

    @Test func corruptFilesAreRejected() throws {
        let data = try model(seed: 6).stateArchive().encoded()
        var flipped = data
        flipped[flipped.count / 2] ^= 0x01
        do {
            _ = try TensorArchive.decode(flipped)
            Issue.record("a flipped bit was not detected")
        } catch {
            guard case .checksumMismatch = error else {
                Issue.record("expected a checksum mismatch, got \(error)"); return
            }
        }
        #expect(throws: StateFileError.notAnArchive) {
            try TensorArchive.decode(Data("hello world, not an archive".utf8))
        }
        var future = data
        future[8] = 2  // version field (little-endian UInt32 at offset 8)
        #expect(throws: StateFileError.unsupportedVersion(found: 2, supported: 1)) { try TensorArchive.decode(future) }
        #expect(throws: StateFileError.self) { try TensorArchive.decode(data.prefix(data.count - 5)) }
        #expect(throws: StateFileError.self) {
            try TensorArchive.read(from: URL(fileURLWithPath: "/nonexistent/glidepath/model.gpt"))
        }
        #expect(try TensorArchive.decode(data) == model(seed: 6).stateArchive())
    }

    /// Training, saving the optimizer mid-run, restoring it into a fresh optimizer over a reloaded
    /// model, and continuing gives bit-identical parameters to an uninterrupted run.
    @Test(.exclusiveEngineThreadCount, arguments: ["sgd", "adam", "rmsprop"])
    func optimizerStateResumesBitIdentically(kind: String) throws {
        func makeOptimizer(_ parameters: [Tensor]) throws -> any Optimizer {
            switch kind {
            case "sgd": return try SGD(parameters: parameters, .init(learningRate: 0.05, momentum: 0.9, nesterov: true))
            case "adam": return try Adam(parameters: parameters, .init(learningRate: 0.01, amsgrad: true))
            default:
                return try RMSprop(parameters: parameters, .init(learningRate: 0.01, momentum: 0.3, centered: true))
            }
        }
        let x = randomTensor([6, 3], seed: 7)
        let labels: [Int32] = [0, 1, 1, 0, 1, 0]
        let loss = try CrossEntropyLoss()
        func train(_ network: Sequential, _ optimizer: any Optimizer, steps: Int) throws {
            for _ in 0..<steps {
                optimizer.clearGradients()
                try loss(network(x), labels).backward()
                optimizer.step()
            }
        }
        let reference = try model(seed: 8)
        let referenceOptimizer = try makeOptimizer(reference.parameters)
        try train(reference, referenceOptimizer, steps: 6)

        let first = try model(seed: 8)
        let firstOptimizer = try makeOptimizer(first.parameters)
        try train(first, firstOptimizer, steps: 3)
        let modelState = first.stateArchive(), optimizerState = firstOptimizer.stateArchive()
        let resumed = try model(seed: 99)
        try resumed.loadState(modelState)
        let resumedOptimizer = try makeOptimizer(resumed.parameters)
        try resumedOptimizer.loadState(TensorArchive.decode(optimizerState.encoded()))
        try train(resumed, resumedOptimizer, steps: 3)
        #expect(resumed.stateArchive() == reference.stateArchive())
    }

    @Test func optimizerStateErrorsLeaveOptimizerUnchanged() throws {
        let parameter = randomTensor([4], seed: 9).requiringGradient()
        let adam = try Adam(parameters: [parameter])
        parameter.withUnsafeMutableDataAndGradient { _, g in for i in g.indices { g[i] = 1 } }
        adam.step()
        let before = adam.stateArchive()
        let sgd = try SGD(parameters: [randomTensor([4], seed: 10).requiringGradient()], .init(learningRate: 0.1))
        #expect(throws: StateFileError.wrongKind(expected: "optimizer.adam", found: "optimizer.sgd")) {
            try adam.loadState(sgd.stateArchive())
        }
        let other = try Adam(parameters: [randomTensor([5], seed: 11).requiringGradient()])
        #expect(throws: StateFileError.self) { try adam.loadState(other.stateArchive()) }
        #expect(adam.stateArchive() == before)
    }
}
