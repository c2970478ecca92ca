import Foundation
import GlidepathTensor

/// Saving and loading a module's named parameters and buffers (PyTorch's `state_dict` /
/// `load_state_dict(strict=True)`), in the ``TensorArchive`` format with kind `"model"`.
extension Module {
    /// Every parameter and buffer by dotted name, parameters first.
    public func stateArchive() -> TensorArchive {
        let tensors = namedParameters + namedBuffers
        return TensorArchive(
            kind: "model",
            entries: tensors.map {
                TensorArchive.Entry(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars)
            })
    }

    /// Writes ``stateArchive()`` to `url` (atomically).
    public func saveState(to url: URL) throws(StateFileError) {
        try stateArchive().write(to: url)
    }

    /// Loads `archive` into this module's parameters and buffers.
    ///
    /// Every check runs before any tensor is written — the archive kind, then each of the module's
    /// tensors present with the same shape, then no extra tensors — so on any error the module is
    /// unchanged. Gradients are left as they are.
    /// - Throws: ``StateFileError/wrongKind(expected:found:)``, ``StateFileError/missingTensor(name:)``,
    ///   ``StateFileError/shapeMismatch(name:expected:found:)``, ``StateFileError/unexpectedTensor(name:)``.
    public func loadState(_ archive: TensorArchive) throws(StateFileError) {
        guard archive.kind == "model" else { throw .wrongKind(expected: "model", found: archive.kind) }
        let targets = namedParameters + namedBuffers
        var byName: [String: TensorArchive.Entry] = [:]
        for entry in archive.entries { byName[entry.name] = entry }
        var known = Set<String>()
        for (name, tensor) in targets {
            known.insert(name)
            guard let entry = byName[name] else { throw .missingTensor(name: name) }
            guard entry.shape == tensor.shape else {
                throw .shapeMismatch(name: name, expected: tensor.shape, found: entry.shape)
            }
        }
        for entry in archive.entries where !known.contains(entry.name) { throw .unexpectedTensor(name: entry.name) }
        for (name, tensor) in targets {
            guard let entry = byName[name] else { continue }
            Initialization.write(entry.values, into: tensor)
        }
    }

    /// Reads an archive from `url` and loads it (see ``loadState(_:)``).
    public func loadState(from url: URL) throws(StateFileError) {
        try loadState(TensorArchive.read(from: url))
    }
}
