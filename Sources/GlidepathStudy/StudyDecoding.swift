import Foundation
import Glidepath
import GlidepathLab

/// The coding key of any field, for reading an object's keys whatever they are.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

extension Decoder {
    /// Refuses a key that `Keys` does not name: a plan is strict, so a misspelt field is an error naming
    /// it, never a silently ignored line.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type, in kind: String) throws {
        let container = try self.container(keyedBy: AnyKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue })
        where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [key],
                    debugDescription:
                        "unknown field for \(kind); known fields: \(known.sorted().joined(separator: ", "))"))
        }
    }
}

/// Turns the errors of decoding a plan into ``StudyError/invalidPlan(field:value:reason:)``.
enum PlanErrors {
    /// The coding path as a field path: `arms[2].scheduler`.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "plan" : text
    }

    static func describe(_ error: any Error) -> StudyError {
        switch error {
        case let error as StudyError:
            return error
        case let error as SchedulerError:
            if case let .invalidArgument(name, value, reason) = error {
                return .invalidPlan(field: name, value: value, reason: reason)
            }
            return .invalidPlan(field: "scheduler", value: "", reason: error.description)
        case let error as TaskError:
            switch error {
            case let .invalidOptimizerSetting(name, value, reason):
                return .invalidPlan(field: name, value: value, reason: reason)
            case let .invalidConfiguration(field, value, reason):
                return .invalidPlan(field: field, value: value, reason: reason)
            case .unknownTask(let name):
                return .invalidPlan(field: "task", value: "\"\(name)\"", reason: error.description)
            }
        case let error as DecodingError:
            switch error {
            case let .dataCorrupted(context):
                return .invalidPlan(field: path(context.codingPath), value: "", reason: context.debugDescription)
            case let .keyNotFound(key, context):
                return .invalidPlan(field: path(context.codingPath + [key]), value: "missing", reason: "required")
            case let .typeMismatch(type, context):
                return .invalidPlan(
                    field: path(context.codingPath), value: "",
                    reason: "expected \(type): \(context.debugDescription)")
            case let .valueNotFound(type, context):
                return .invalidPlan(field: path(context.codingPath), value: "null", reason: "expected \(type)")
            @unknown default:
                return .invalidPlan(field: "plan", value: "", reason: "\(error)")
            }
        default:
            return .invalidPlan(field: "plan", value: "", reason: "\(error)")
        }
    }
}
