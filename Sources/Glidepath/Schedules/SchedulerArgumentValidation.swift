/// Shared argument checks for scheduler constructors. Each throws
/// ``SchedulerError/invalidArgument(name:value:reason:)`` naming the parameter and its value.
enum SchedulerArgumentValidation {
    static func require(
        _ condition: Bool, _ name: String, _ value: @autoclosure () -> String, _ reason: String
    ) throws(SchedulerError) {
        if !condition { throw .invalidArgument(name: name, value: value(), reason: reason) }
    }

    static func finite(_ value: Double, _ name: String) throws(SchedulerError) {
        try require(value.isFinite, name, "\(value)", "must be finite")
    }

    static func nonNegative(_ value: Double, _ name: String) throws(SchedulerError) {
        try finite(value, name)
        try require(value >= 0, name, "\(value)", "must be >= 0")
    }

    static func positive(_ value: Double, _ name: String) throws(SchedulerError) {
        try finite(value, name)
        try require(value > 0, name, "\(value)", "must be > 0")
    }

    static func atLeast(_ value: Int, _ minimum: Int, _ name: String) throws(SchedulerError) {
        try require(value >= minimum, name, "\(value)", "must be >= \(minimum)")
    }

    static func unitInterval(_ value: Double, _ name: String) throws(SchedulerError) {
        try finite(value, name)
        try require(value >= 0 && value <= 1, name, "\(value)", "must be in [0, 1]")
    }

    /// Base rates: at least one group, each finite and non-negative (PyTorch's optimizers reject a
    /// negative lr with "Invalid learning rate").
    static func baseRates(_ rates: [Double], name: String = "baseRates") throws(SchedulerError) {
        try require(!rates.isEmpty, name, "[]", "needs at least one parameter group")
        for (index, rate) in rates.enumerated() {
            try require(
                rate.isFinite && rate >= 0, "\(name)[\(index)]", "\(rate)",
                "must be finite and >= 0")
        }
    }

    /// A per-group list must have one entry per group.
    static func perGroup<T>(_ values: [T], groups: Int, _ name: String) throws(SchedulerError) {
        try require(
            values.count == groups, name, "\(values)",
            "expected \(groups) values (one per parameter group), got \(values.count)")
    }

    static func describe(_ values: [Double]) -> String {
        "[" + values.map { "\($0)" }.joined(separator: ", ") + "]"
    }
}
