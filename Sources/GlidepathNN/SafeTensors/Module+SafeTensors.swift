import Foundation
import GlidepathTensor

/// Moving a module's parameters and buffers to and from safetensors files under their PyTorch
/// `state_dict` names, so a Glidepath model loads into `torch.nn.Module.load_state_dict` and back.
///
/// Names and layouts already are PyTorch's (see ``Module``): Linear weights `[out, in]`, Conv2d
/// `[out, in, kh, kw]`, LSTM `weight_ih_l0` `[4H, E]` with gate order i, f, g, o. Values are F32.
extension Module {
    /// Every parameter and buffer as an F32 tensor, parameters first, in ``namedParameters`` order.
    public func safeTensors(metadata: [String: String] = [:]) -> SafeTensorsFile {
        SafeTensorsFile(
            metadata: metadata,
            entries: (namedParameters + namedBuffers).map {
                SafeTensorsFile.Entry(name: $0.name, shape: $0.tensor.shape, float32: $0.tensor.scalars)
            })
    }

    /// Loads every parameter and buffer from `file` (strict, like `load_state_dict(strict=True)`):
    /// every tensor present with the same shape and dtype F32 (or F64, rounded to Float32), and no
    /// extra tensors. All checks run before any tensor is written, so on error the module is unchanged.
    /// - Throws: ``SafeTensorsError/missingTensor(name:)``, ``SafeTensorsError/wrongDataType(name:expected:found:)``,
    ///   ``SafeTensorsError/invalidHeader(field:reason:)`` for a shape mismatch or an unexpected tensor.
    public func loadSafeTensors(_ file: SafeTensorsFile) throws(SafeTensorsError) {
        let targets = namedParameters + namedBuffers
        var values: [[Float]] = []
        let known = Set(targets.map(\.name))
        for entry in file.entries where !known.contains(entry.name) {
            throw .invalidHeader(
                field: entry.name, reason: "unexpected tensor (the model has no such parameter or buffer)")
        }
        for (name, tensor) in targets {
            let entry = try file.entry(name)
            guard entry.shape == tensor.shape else {
                throw .invalidHeader(field: "\(name).shape", reason: "\(entry.shape), the model's is \(tensor.shape)")
            }
            switch entry.dataType {
            case .float32: values.append(try entry.floats())
            case .float64: values.append(try entry.doubles().map { Float($0) })
            default: throw .wrongDataType(name: name, expected: "F32 or F64", found: entry.dataType.rawValue)
            }
        }
        for (index, target) in targets.enumerated() { Initialization.write(values[index], into: target.tensor) }
    }
}
