/// Why a report could not be made. Each case names the field and the offending value; nothing is written
/// when one is thrown (``StudyReportWriter`` validates the whole input before it creates a file).
public enum ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A cell names a task that is not in ``ReportInput/tasks``.
    case unknownTask(field: String, name: String)
    /// A cell or baseline names an arm that is not in ``ReportInput/arms``.
    case unknownArm(field: String, name: String)
    /// Two tasks or two arms share a name.
    case duplicateName(field: String, name: String)
    /// Two cells have the same task, arm and seed.
    case duplicateCell(task: String, arm: String, seed: Int)
    /// A value that must be finite (or +∞ only for a to-target endpoint) is not.
    case invalidValue(field: String, value: String, reason: String)
    /// An estimator was given arguments it cannot use (too few values, mismatched lengths, bad level).
    case invalidArgument(name: String, reason: String)
    /// A file or directory could not be written.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownTask(field, name): "\(field): unknown task \"\(name)\" (not in tasks)"
        case let .unknownArm(field, name): "\(field): unknown arm \"\(name)\" (not in arms)"
        case let .duplicateName(field, name): "\(field): \"\(name)\" appears more than once"
        case let .duplicateCell(task, arm, seed): "cells: task \(task), arm \(arm), seed \(seed) appears more than once"
        case let .invalidValue(field, value, reason): "\(field): \(value) \(reason)"
        case let .invalidArgument(name, reason): "\(name): \(reason)"
        case let .writeFailed(path, reason): "cannot write \(path): \(reason)"
        }
    }
}
