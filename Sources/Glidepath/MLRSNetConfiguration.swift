import Foundation

extension MLRSNetScheduler {
    /// Where a net switch happens: a fraction of the total step budget or an update index.
    public enum SwitchPoint: Equatable, Sendable, Decodable {
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
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath,
                    debugDescription: "\(value) is neither a fraction in (0, 1) nor a whole step >= 1"))
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
    /// * `name`: optional; if present, `"mlrsnet"`.
    /// * `weights`: one or more paths to JSON or legacy `.pth` nets (relative paths are resolved
    ///   against the current directory).
    /// * `switchAt`: `weights.count − 1` switch points: numbers in (0, 1) are fractions of
    ///   `totalSteps`, whole numbers ≥ 1 are update indices. When absent, the nets share the budget
    ///   equally: switch k at ⌊k·totalSteps/n⌋ (for three nets, T/3 and 2T/3: the published protocol).
    /// * `totalSteps`: the run's update budget; required when a switch point is a fraction or absent.
    /// * `numClasses`: C ≥ 2 in γ. `initialLoss`: L₀ > 0 in γ.
    /// * `gateConvention`: `"metaTest"` (default) or `"metaTrain"`.
    /// * `scaleRule`: `"guarded"` (default) or `"reference"`.
    /// * `cadence`: optional; only `"perUpdate"` (accepted because every scheduler configuration may
    ///   carry it).
    ///
    /// Unknown keys are rejected, naming the key.
    public struct Configuration: Decodable, Equatable, Sendable {
        public var weights: [String]
        public var switchAt: [SwitchPoint]?
        public var totalSteps: Int?
        public var numClasses: Int
        public var initialLoss: Double
        public var gateConvention: MLRSNetGateConvention
        public var scaleRule: MLRSNetScaleRule

        public init(
            weights: [String], switchAt: [SwitchPoint]? = nil, totalSteps: Int? = nil, numClasses: Int,
            initialLoss: Double, gateConvention: MLRSNetGateConvention = .metaTest,
            scaleRule: MLRSNetScaleRule = .guarded
        ) {
            self.weights = weights
            self.switchAt = switchAt
            self.totalSteps = totalSteps
            self.numClasses = numClasses
            self.initialLoss = initialLoss
            self.gateConvention = gateConvention
            self.scaleRule = scaleRule
        }

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case name, weights, switchAt, totalSteps, numClasses, initialLoss, gateConvention, scaleRule, cadence
        }

        private struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(from decoder: any Decoder) throws {
            let all = try decoder.container(keyedBy: AnyKey.self)
            for key in all.allKeys where CodingKeys(rawValue: key.stringValue) == nil {
                let allowed = CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath + [key],
                    debugDescription: "unknown key '\(key.stringValue)' for mlrsnet (allowed: \(allowed))"))
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let name = try container.decodeIfPresent(String.self, forKey: .name), name != "mlrsnet" {
                throw DecodingError.dataCorruptedError(
                    forKey: .name, in: container, debugDescription: "expected \"mlrsnet\", found \"\(name)\"")
            }
            // Every scheduler configuration may carry "cadence"; MLR-SNet is only defined per update.
            if let cadence = try container.decodeIfPresent(StepCadence.self, forKey: .cadence), cadence != .perUpdate {
                throw DecodingError.dataCorruptedError(
                    forKey: .cadence, in: container,
                    debugDescription: "MLR-SNet reads the loss of every update; only \"perUpdate\" is allowed")
            }
            weights = try container.decode([String].self, forKey: .weights)
            switchAt = try container.decodeIfPresent([SwitchPoint].self, forKey: .switchAt)
            totalSteps = try container.decodeIfPresent(Int.self, forKey: .totalSteps)
            numClasses = try container.decode(Int.self, forKey: .numClasses)
            initialLoss = try container.decode(Double.self, forKey: .initialLoss)
            gateConvention = try container.decodeIfPresent(MLRSNetGateConvention.self, forKey: .gateConvention)
                ?? .metaTest
            scaleRule = try container.decodeIfPresent(MLRSNetScaleRule.self, forKey: .scaleRule) ?? .guarded
        }

        /// The largest accepted `totalSteps` (2^53, so fractions of it are exact in double precision).
        public static let maximumTotalSteps = 1 << 53

        /// The switch steps this configuration resolves to.
        ///
        /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming the key.
        public func resolvedSwitchSteps() throws(SchedulerError) -> [Int] {
            if let totalSteps, !(1...Self.maximumTotalSteps).contains(totalSteps) {
                throw .invalidArgument(name: "totalSteps", value: "\(totalSteps)",
                                       reason: "must be in 1...\(Self.maximumTotalSteps)")
            }
            guard let switchAt else {
                guard weights.count > 1 else { return [] }
                guard let totalSteps else {
                    throw .invalidArgument(name: "totalSteps", value: "null",
                                           reason: "needed to place the \(weights.count - 1) default switches")
                }
                // ⌊k·T/n⌋ without overflow: T = q·n + r.
                let (quotient, remainder) = totalSteps.quotientAndRemainder(dividingBy: weights.count)
                return (1..<weights.count).map { quotient * $0 + remainder * $0 / weights.count }
            }
            var steps: [Int] = []
            for (index, point) in switchAt.enumerated() {
                guard let step = point.step(totalSteps: totalSteps) else {
                    throw .invalidArgument(name: "totalSteps", value: "null",
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
        guard !configuration.weights.isEmpty else {
            throw .invalidArgument(name: "weights", value: "[]", reason: "at least one net is required")
        }
        let switchSteps = try configuration.resolvedSwitchSteps()
        var nets: [MLRSNetWeights] = []
        for (index, path) in configuration.weights.enumerated() {
            do {
                nets.append(try MLRSNetWeights(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw .invalidArgument(name: "weights[\(index)]", value: path, reason: error.description)
            }
        }
        do {
            try self.init(nets: nets, switchSteps: switchSteps, classCount: configuration.numClasses,
                          initialLoss: configuration.initialLoss, baseRates: baseRates,
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
