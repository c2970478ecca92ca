import Glidepath
import GlidepathNN

extension RunExport {
    /// The columns of a probe row after the run's identity.
    static let probeColumns = [
        "epoch", "step", "loss", "loss_spread", "gradient_norm", "gradient_cosine", "lambda_max", "lambda_spread",
        "lambda_iterations", "lambda_residual", "preconditioned_lambda_max", "preconditioned_iterations", "trace",
        "trace_standard_error", "gradient_curvature", "quadratic_step", "noise_scale", "noise_scale_raw",
        "gradient_evaluations", "hessian_vector_products", "seconds", "action", "factor_after", "proposal",
    ]

    static func probeRow(_ record: ProbeRecord) -> [(String, Field)] {
        let m = record.measurement
        func integer(_ value: Int?) -> Field { value.map(Field.integer) ?? .optionalNumber(nil) }
        return [
            ("epoch", .integer(record.epoch)), ("step", .integer(record.step)), ("loss", .number(m.loss.value)),
            ("loss_spread", .optionalNumber(m.loss.spread)), ("gradient_norm", .number(m.gradientNorm.value)),
            ("gradient_cosine", .optionalNumber(m.gradientCosine)),
            ("lambda_max", .optionalNumber(m.lambdaMax?.value.value)),
            ("lambda_spread", .optionalNumber(m.lambdaMax?.value.spread)),
            ("lambda_iterations", integer(m.lambdaMax?.iterations)),
            ("lambda_residual", .optionalNumber(m.lambdaMax?.residual)),
            ("preconditioned_lambda_max", .optionalNumber(m.preconditionedLambdaMax?.value.value)),
            ("preconditioned_iterations", integer(m.preconditionedLambdaMax?.iterations)),
            ("trace", .optionalNumber(m.trace?.value)),
            ("trace_standard_error", .optionalNumber(m.trace?.standardError)),
            ("gradient_curvature", .optionalNumber(m.gradientCurvature?.value)),
            ("quadratic_step", .optionalNumber(m.quadraticStep)), ("noise_scale", .optionalNumber(m.noiseScale?.value)),
            ("noise_scale_raw", .optionalNumber(m.noiseScale?.raw)),
            ("gradient_evaluations", .integer(m.cost.gradientEvaluations)),
            ("hessian_vector_products", .integer(m.cost.hessianVectorProducts)), ("seconds", .number(m.cost.seconds)),
            ("action", .text(record.decision?.action.rawValue ?? "")),
            ("factor_after", .optionalNumber(record.decision?.factorAfter)),
            ("proposal", .optionalNumber(record.decision?.proposal)),
        ]
    }
}
