/// The range checks of optimizer hyperparameters, each throwing
/// ``NNError/invalidArgument(name:value:reason:)`` with the field's path, the value and the range.
enum Check {
    /// Finite and ≥ 0.
    static func nonNegative(_ value: Double, _ name: String) throws(NNError) {
        try NNError.require(value >= 0 && value.isFinite, name, value, "must be finite and ≥ 0")
    }

    /// Finite and > 0.
    static func positive(_ value: Double, _ name: String) throws(NNError) {
        try NNError.require(value > 0 && value.isFinite, name, value, "must be finite and > 0")
    }

    /// In [0, 1).
    static func unitInterval(_ value: Double, _ name: String) throws(NNError) {
        try NNError.require(value >= 0 && value < 1, name, value, "must lie in [0, 1)")
    }

    /// In (0, 1).
    static func open01(_ value: Double, _ name: String) throws(NNError) {
        try NNError.require(value > 0 && value < 1, name, value, "must lie in (0, 1)")
    }

    /// Finite.
    static func finite(_ value: Double, _ name: String) throws(NNError) {
        try NNError.require(value.isFinite, name, value, "must be finite")
    }

    /// ≥ 1, and +∞ allowed (an unlimited growth rate).
    static func growthRate(_ value: Double, _ name: String) throws(NNError) {
        try NNError.require(value >= 1, name, value, "must be ≥ 1 (∞ for no limit)")
    }

    /// Schedule-Free's warmup length and averaging exponents.
    static func scheduleFreeAverage(
        _ warmupSteps: Int, _ averagingPower: Double, _ weightLearningRatePower: Double,
        _ path: String
    ) throws(NNError) {
        try NNError.require(warmupSteps >= 0, path + "warmupSteps", warmupSteps, "must be ≥ 0")
        try nonNegative(averagingPower, path + "averagingPower")
        try nonNegative(weightLearningRatePower, path + "weightLearningRatePower")
    }
}
