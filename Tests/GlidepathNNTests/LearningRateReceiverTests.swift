import Glidepath
import GlidepathNN
import GlidepathTensor
import Testing

/// Optimizers as `LearningRateReceiver`s: a scheduler's rates land in each group, and its momenta in the
/// hyperparameter PyTorch's cyclic schedulers move (SGD/RMSprop `momentum`, Adam's β₁).
@Suite("Optimizers receive scheduler rates")
struct LearningRateReceiverTests {
    private func parameters() -> [Tensor] {
        [Tensor.zeros(shape: [2]).requiringGradient(), Tensor.zeros(shape: [3]).requiringGradient()]
    }

    @Test("rates go to every group; momenta only when given")
    func ratesAndMomenta() throws {
        let p = parameters()
        let sgd = try SGD(groups: [
            ParameterGroup(parameters: [p[0]], hyperparameters: SGD.Hyperparameters(learningRate: 0.1, momentum: 0.9)),
            ParameterGroup(parameters: [p[1]], hyperparameters: SGD.Hyperparameters(learningRate: 0.2, momentum: 0.9)),
        ])
        sgd.receive(learningRates: [0.01, 0.02], momenta: nil)
        #expect(sgd.groups.map(\.hyperparameters.learningRate) == [0.01, 0.02])
        #expect(sgd.groups.map(\.hyperparameters.momentum) == [0.9, 0.9])
        sgd.receive(learningRates: [0.03, 0.04], momenta: [0.85, 0.95])
        #expect(sgd.groups.map(\.hyperparameters.momentum) == [0.85, 0.95])

        var adam = try Adam(parameters: p)
        // A one-cycle schedule moves β₁ for Adam, as PyTorch's OneCycleLR does.
        let scheduler = try ClosedFormScheduler(
            OneCycleSchedule(maxLR: 0.1, totalSteps: 10), baseRates: [0.001])
        scheduler.apply(to: &adam)
        #expect(adam.learningRates == scheduler.learningRates)
        #expect(adam.groups.map(\.hyperparameters.beta1) == scheduler.momenta)

        let rmsprop = try RMSprop(parameters: p)
        rmsprop.receive(learningRates: [0.5], momenta: [0.3])
        #expect(rmsprop.groups.map(\.hyperparameters.momentum) == [0.3])
        #expect(rmsprop.learningRates == [0.5])
    }
}
