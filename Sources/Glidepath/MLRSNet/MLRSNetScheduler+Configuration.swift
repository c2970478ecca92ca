import Foundation
import GlidepathMLRSNet

extension MLRSNetScheduler {
    /// Where a net switch happens: a fraction of the total step budget or an update index.
    public enum SwitchPoint: Equatable, Sendable, Codable {
        /// f ∈ (0, 1): the switch happens at update ⌊f·totalSteps⌋.
        case fraction(Double)
        /// The update index (≥ 1) from which the next net drives the rate.
        case step(Int)

        /// A JSON number strictly between 0 and 1 is a fraction; a whole number ≥ 1 is a step.
        public init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer().decode(Double.self)
            if value > 0, value < 1 {
                self = .fraction(value)
            } else if value >= 1, value == value.rounded(), value < 0x1p62 {
                self = .step(Int(value))
            } else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "\(value) is neither a fraction in (0, 1) nor a whole step >= 1"))
            }
        }

        /// A fraction as a number in (0, 1), a step as an integer.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .fraction(let fraction): try container.encode(fraction)
            case .step(let step): try container.encode(step)
            }
        }

        /// The update index of this switch point in a run of `totalSteps` updates (`nil`: unknown).
        ///
        /// ⌊f·T⌋ is computed in double precision; a product within 1e-9 (relative) of an integer is
        /// taken as that integer, so `1/3` of 300 is 100, not 99.
        public func step(totalSteps: Int?) -> Int? {
            switch self {
            case .step(let step):
                return step
            case .fraction(let fraction):
                guard let totalSteps else { return nil }
                let product = fraction * Double(totalSteps)
                let nearest = product.rounded()
                return Int(abs(product - nearest) <= 1e-9 * max(1, product) ? nearest : product.rounded(.down))
            }
        }
    }

    /// The JSON configuration of `glidepath schedule` and the training lab:
    ///
    /// ```json
    /// {"name": "mlrsnet", "weights": ["mlr_snet_1.pth", "mlr_snet_100.pth", "mlr_snet_200.pth"],
    ///  "switchAt": [0.3333333333333333, 0.6666666666666666], "totalSteps": 78200,
    ///  "numClasses": 10, "initialLoss": 2.302585}
    /// ```
    ///
    /// `cadence`, which every scheduler object may carry, may only be `"perUpdate"` here. Resolving against
    /// a run (``resolved(for:)``) fills `totalSteps` (the updates the scheduler drives), `numClasses`
    /// (the task's), `initialLoss` (the untrained model's loss) and, for three nets driving a whole run of
    /// N ≥ 3 epochs of B updates, `switchAt` = [(N/3)·B, (2N/3)·B] (the reference's epoch boundaries).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "mlrsnet"

        /// One or more paths to JSON or legacy `.pth` nets (relative paths are resolved against the
        /// current directory). Required.
        public var weights: [String]?
        /// `weights.count − 1` switch points: numbers in (0, 1) are fractions of `totalSteps`, whole
        /// numbers ≥ 1 are update indices. When absent, the nets share the budget equally: switch k at
        /// ⌊k·totalSteps/n⌋ (for three nets, T/3 and 2T/3: the published protocol).
        public var switchAt: [SwitchPoint]?
        /// The run's update budget; required when a switch point is a fraction or absent.
        public var totalSteps: Int?
        /// C ≥ 2 in γ. Required.
        public var numClasses: Int?
        /// L₀ > 0 in γ. Required.
        public var initialLoss: Double?
        /// The gate convention (``MLRSNetGateConvention/metaTest`` for the published nets).
        public var gateConvention: MLRSNetGateConvention = .metaTest
        /// How γ is computed.
        public var scaleRule: MLRSNetScaleRule = .guarded

        public init() {}

        /// Every field; an argument left out keeps the default above.
        public init(
            weights: [String]? = nil, switchAt: [SwitchPoint]? = nil, totalSteps: Int? = nil, numClasses: Int? = nil,
            initialLoss: Double? = nil, gateConvention: MLRSNetGateConvention = Configuration().gateConvention,
            scaleRule: MLRSNetScaleRule = Configuration().scaleRule
        ) {
            self.weights = weights
            self.switchAt = switchAt
            self.totalSteps = totalSteps
            self.numClasses = numClasses
            self.initialLoss = initialLoss
            self.gateConvention = gateConvention
            self.scaleRule = scaleRule
        }

        public var defaultCadence: StepCadence? { .perUpdate }
        public static var fixedCadence: StepCadence? { .perUpdate }
        public var readsInitialLoss: Bool { initialLoss == nil }

        public func resolved(for shape: RunShape) throws(SchedulerError) -> Self {
            var copy = self
            if copy.totalSteps == nil { copy.totalSteps = shape.steps }
            if copy.numClasses == nil { copy.numClasses = shape.classCount }
            if copy.initialLoss == nil { copy.initialLoss = shape.initialLoss }
            if copy.switchAt == nil, weights?.count == 3, shape.cadence == .perUpdate, shape.coversWholeRun,
                shape.epochs >= 3
            {
                let perEpoch = shape.updatesPerEpoch
                copy.switchAt = [.step((shape.epochs / 3) * perEpoch), .step((2 * shape.epochs / 3) * perEpoch)]
            }
            return copy
        }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            AnyScheduler(
                try context.named { () throws(SchedulerError) in
                    try MLRSNetScheduler(configuration: self, baseRates: context.baseRates)
                })
        }

        /// The largest accepted `totalSteps` (2^53, so fractions of it are exact in double precision).
        public static let maximumTotalSteps = 1 << 53

        /// The switch steps this configuration resolves to.
        ///
        /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming the key.
        public func resolvedSwitchSteps() throws(SchedulerError) -> [Int] {
            if let totalSteps, !(1...Self.maximumTotalSteps).contains(totalSteps) {
                throw .invalidArgument(
                    name: "totalSteps", value: "\(totalSteps)",
                    reason: "must be in 1...\(Self.maximumTotalSteps)")
            }
            let netCount = weights?.count ?? 0
            guard let switchAt else {
                guard netCount > 1 else { return [] }
                guard let totalSteps else {
                    throw .invalidArgument(
                        name: "totalSteps", value: "null",
                        reason: "needed to place the \(netCount - 1) default switches")
                }
                // ⌊k·T/n⌋ without overflow: T = q·n + r.
                let (quotient, remainder) = totalSteps.quotientAndRemainder(dividingBy: netCount)
                return (1..<netCount).map { quotient * $0 + remainder * $0 / netCount }
            }
            var steps: [Int] = []
            for (index, point) in switchAt.enumerated() {
                guard let step = point.step(totalSteps: totalSteps) else {
                    throw .invalidArgument(
                        name: "totalSteps", value: "null",
                        reason: "switchAt[\(index)] is a fraction of the total step budget")
                }
                steps.append(step)
            }
            return steps
        }
    }

    /// Builds the scheduler from a ``Configuration``, loading every net from its file.
    ///
    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming the key (`weights[1]`
    ///   with the loading error, `switchAt[0]`, `numClasses`, …).
    public init(configuration: Configuration, baseRates: [Double]) throws(SchedulerError) {
        guard let weights = configuration.weights else {
            throw .invalidArgument(
                name: "weights", value: "nil",
                reason: "required: the nets' files (glidepath train fills them in from "
                    + "$GLIDEPATH_WEIGHTS_DIR/mlrsnet/mlr_snet_{1,100,200}.pth when all three exist)")
        }
        guard !weights.isEmpty else {
            throw .invalidArgument(name: "weights", value: "[]", reason: "at least one net is required")
        }
        guard let classCount = configuration.numClasses else {
            throw .invalidArgument(name: "numClasses", value: "nil", reason: "required")
        }
        guard let initialLoss = configuration.initialLoss else {
            throw .invalidArgument(name: "initialLoss", value: "nil", reason: "required")
        }
        let switchSteps = try configuration.resolvedSwitchSteps()
        var nets: [MLRSNetWeights] = []
        for (index, path) in weights.enumerated() {
            do {
                nets.append(try MLRSNetWeights(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw .invalidArgument(name: "weights[\(index)]", value: path, reason: error.description)
            }
        }
        do {
            try self.init(
                nets: nets, switchSteps: switchSteps, classCount: classCount,
                initialLoss: initialLoss, baseRates: baseRates,
                convention: configuration.gateConvention, scaleRule: configuration.scaleRule)
        } catch {
            // Name the configuration's keys rather than the initializer's parameters.
            guard case let .invalidArgument(name, value, reason) = error else { throw error }
            let renamed = name.replacingOccurrences(of: "switchSteps", with: "switchAt")
                .replacingOccurrences(of: "classCount", with: "numClasses")
            throw .invalidArgument(name: renamed, value: value, reason: reason)
        }
    }
}
