import Glidepath

extension ScheduleInput {
    static let landscapeFields = [
        "batchSize", "gradientNorm", "lambdaMax", "noiseScale", "preconditionedLambdaMax",
        "quadraticStep", "stepLossChange", "stepSlope", "trace",
    ]

    /// A signal's `"landscape"` object: every field of ``LandscapeSignal`` optional, unknown fields rejected.
    static func landscapeSignal(_ value: StateValue, name: String) throws(SchedulerError) -> LandscapeSignal {
        guard case .object(let fields) = value else {
            throw .invalidArgument(name: name, value: value.jsonText, reason: "expected an object")
        }
        var signal = LandscapeSignal()
        for key in fields.keys.sorted() {
            let field = fields[key] ?? .null
            let path = "\(name).\(key)"
            switch key {
            case "gradientNorm": signal.gradientNorm = try number(field, name: path)
            case "lambdaMax": signal.lambdaMax = try number(field, name: path)
            case "preconditionedLambdaMax": signal.preconditionedLambdaMax = try number(field, name: path)
            case "trace": signal.trace = try number(field, name: path)
            case "quadraticStep": signal.quadraticStep = try number(field, name: path)
            case "noiseScale": signal.noiseScale = try number(field, name: path)
            case "stepSlope": signal.stepSlope = try number(field, name: path)
            case "stepLossChange": signal.stepLossChange = try number(field, name: path)
            case "batchSize":
                guard case .int(let size) = field, size >= 1 else {
                    throw .invalidArgument(name: path, value: field.jsonText, reason: "expected an integer >= 1")
                }
                signal.batchSize = size
            default:
                throw .invalidArgument(
                    name: path, value: field.jsonText,
                    reason: "unknown field; known fields: \(landscapeFields.joined(separator: ", "))")
            }
        }
        return signal
    }
}
