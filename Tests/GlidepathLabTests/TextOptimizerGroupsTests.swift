import Foundation
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

@Suite("Weight-decay scope: no decay on the embedding and biases (text tasks' default), one schedule")
struct TextOptimizerGroupsTests {
    @Test("weights-only splits a BiLSTM into decayed weights and an undecayed embedding + biases group")
    func recurrentGroups() throws {
        // The text tasks default to it; the other tasks to every parameter.
        #expect(TrainingTask.sst2BiLSTM.specification.optimizer.weightDecayScope == .weightsOnly)
        #expect(TrainingTask.imdbBiLSTM.specification.optimizer.weightDecayScope == .weightsOnly)
        #expect(
            TrainingTask.allCases.filter { $0.specification.optimizer.weightDecayScope == .all }
                == [.mnistCNN, .cifar10CNN, .adultMLP, .fashionMNISTCNN])
        var generator = SeededGenerator(seed: 3)
        let model = try TaskModelFactory.makeModel(.recurrent(.sst2), using: &generator)
        let optimizer = try OptimizerConfiguration.studyText.makeOptimizer(for: model)
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
        #expect(
            exemptNames.contains("embedding.weight") && exemptNames.contains("classifier.bias")
                && exemptNames.contains("lstm.bias_hh_l0_reverse"))
        #expect(adam.groups[0].parameters.map(\.shape) == named.filter { !isExempt($0.name) }.map(\.tensor.shape))
        #expect(adam.groups[1].parameters.map(\.shape) == named.filter { isExempt($0.name) }.map(\.tensor.shape))
        #expect(adam.groups[1].parameters.first?.shape == [20_000, 100])
        // A scheduled rate and β₁ reach both groups.
        shared.receive(learningRates: [2.5e-4], momenta: [0.8])
        #expect(adam.learningRates == [2.5e-4, 2.5e-4])
        #expect(adam.groups.map(\.hyperparameters.beta1) == [0.8, 0.8])
    }

    @Test("scope all keeps one group with every parameter decayed; weights-only exempts an MLP's biases")
    func scopes() throws {
        var generator = SeededGenerator(seed: 3)
        let model = try TaskModelFactory.makeModel(.perceptron(.adult), using: &generator)
        let adam = try #require(try OptimizerConfiguration.study.makeOptimizer(for: model) as? Adam)
        #expect(adam.groups.count == 1)
        #expect(adam.groups[0].hyperparameters.weightDecay == 5e-4)
        #expect(adam.groups[0].parameters.count == 6)

        let split = try #require(try OptimizerConfiguration.studyText.makeOptimizer(for: model) as? SharedRateOptimizer)
        let groups = try #require(split.base as? Adam).groups
        // 0.weight [256, 108], 2.weight [128, 256], 4.weight [2, 128] decayed; the three biases not.
        #expect(
            groups.map { $0.parameters.map(\.shape) } == [[[256, 108], [128, 256], [2, 128]], [[256], [128], [2]]])
        #expect(groups.map(\.hyperparameters.weightDecay) == [5e-4, 0])

        // A BiLSTM with scope all: one group of all 11 parameters (embedding, 4 per LSTM direction, 2 of the
        // classifier), all decayed.
        let recurrent = try TaskModelFactory.makeModel(.recurrent(.sst2), using: &generator)
        let plain = try #require(try OptimizerConfiguration.study.makeOptimizer(for: recurrent) as? Adam)
        #expect(plain.groups.count == 1 && plain.groups[0].parameters.count == 11)
    }

    @Test("configurations recorded before the optimizer registry (and before the scope) decode as what those runs did")
    func legacyConfigurationDecodes() throws {
        let current = RunConfiguration(
            task: .imdbBiLSTM, scheduler: "cosine", schedulerConfiguration: .null, seed: 1,
            dataDirectory: "/data", threads: 2)
        #expect(current.optimizer.weightDecayScope == .weightsOnly)
        let json = try current.json()
        #expect(
            json.contains(
                #""optimizer":{"amsgrad":false,"beta1":0.9,"beta2":0.999,"epsilon":1e-08,"learningRate":0.001,"name":"adam","weightDecay":0.0005,"weightDecayMode":"coupled","weightDecayScope":"weights-only"}"#
            ), "\(json)")
        #expect(try RunConfiguration.decode(json: json) == current)
        // The former shape: every field of adam/adamw/sgd and a kind (main before the registry).
        let recorded =
            #"{"beta1":0.9,"beta2":0.999,"epsilon":1e-08,"kind":"adam","learningRate":0.001,"momentum":0,"nesterov":false,"weightDecay":0.0005,"weightDecayScope":"weights-only"}"#
        let optimizerStart = try #require(json.range(of: #""optimizer":"#)).upperBound
        let optimizerEnd = try #require(json.range(of: "}", range: optimizerStart..<json.endIndex)).upperBound
        let legacy = json.replacingCharacters(in: optimizerStart..<optimizerEnd, with: recorded)
        #expect(try RunConfiguration.decode(json: legacy) == current)
        // Before the scope existed: every parameter decayed.
        var all = current
        all.optimizer.weightDecayScope = .all
        let unscoped = legacy.replacingOccurrences(of: #","weightDecayScope":"weights-only""#, with: "")
        #expect(try RunConfiguration.decode(json: unscoped) == all)
        // AdamW and SGD records keep their coupling, momentum and Nesterov flag.
        let sgd = legacy.replacingOccurrences(of: #""kind":"adam""#, with: #""kind":"sgd""#)
            .replacingOccurrences(of: #""momentum":0,"nesterov":false"#, with: #""momentum":0.9,"nesterov":true"#)
        let decoded = try RunConfiguration.decode(json: sgd).optimizer
        #expect(decoded.name == "sgd")
        let parameters = try #require(decoded.parameters as? SGDConfiguration)
        #expect(parameters.group.momentum == 0.9 && parameters.group.nesterov && parameters.group.dampening == 0)
        let adamW = try RunConfiguration.decode(
            json: legacy.replacingOccurrences(of: #""kind":"adam""#, with: #""kind":"adamw""#))
        #expect((adamW.optimizer.parameters as? AdamWConfiguration)?.group.weightDecayMode == .decoupled)
    }
}
