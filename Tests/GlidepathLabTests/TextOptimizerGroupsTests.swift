import Foundation
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

@Suite("Text tasks: no weight decay on the embedding and biases, one schedule")
struct TextOptimizerGroupsTests {
    @Test("recurrent models split into decayed weights and an undecayed embedding + biases group")
    func recurrentGroups() throws {
        var generator = SeededGenerator(seed: 3)
        let model = try TaskModelFactory.makeModel(.recurrent(.sst2), using: &generator)
        let optimizer = try TrainingSession.makeOptimizer(.study, model: model, architecture: .recurrent(.sst2))
        // The scheduler sees one group holding every parameter.
        #expect(optimizer.learningRates == [1e-3])
        #expect(optimizer.groupParameters.count == 1)
        #expect(optimizer.groupParameters[0].count == model.module.parameters.count)
        let shared = try #require(optimizer as? SharedRateOptimizer)
        let adam = try #require(shared.base as? Adam)
        #expect(adam.groups.count == 2)
        #expect(adam.groups.map(\.hyperparameters.weightDecay) == [5e-4, 0])
        // Group membership by name (Tensor has no public identity, so compare the groups' shapes with
        // those of the named parameters in state_dict order): the embedding table and every bias
        // (lstm.bias_*, classifier.bias) are exempt, everything else is decayed.
        let named = model.module.namedParameters
        func isExempt(_ name: String) -> Bool {
            name == "embedding.weight" || (name.split(separator: ".").last ?? "").hasPrefix("bias")
        }
        let exemptNames = named.map(\.name).filter(isExempt)
        #expect(exemptNames.contains("embedding.weight") && exemptNames.contains("classifier.bias")
                && exemptNames.contains("lstm.bias_hh_l0_reverse"))
        #expect(adam.groups[0].parameters.map(\.shape) == named.filter { !isExempt($0.name) }.map(\.tensor.shape))
        #expect(adam.groups[1].parameters.map(\.shape) == named.filter { isExempt($0.name) }.map(\.tensor.shape))
        #expect(adam.groups[1].parameters.first?.shape == [20_000, 100])
        // A scheduled rate and β₁ reach both groups.
        shared.receive(learningRates: [2.5e-4], momenta: [0.8])
        #expect(adam.learningRates == [2.5e-4, 2.5e-4])
        #expect(adam.groups.map(\.hyperparameters.beta1) == [0.8, 0.8])
    }

    @Test("non-text tasks keep one group with every parameter decayed")
    func convolutionalGroup() throws {
        var generator = SeededGenerator(seed: 3)
        let model = try TaskModelFactory.makeModel(.perceptron(.adult), using: &generator)
        let optimizer = try TrainingSession.makeOptimizer(.study, model: model, architecture: .perceptron(.adult))
        let adam = try #require(optimizer as? Adam)
        #expect(adam.groups.count == 1)
        #expect(adam.groups[0].hyperparameters.weightDecay == 5e-4)
    }
}
