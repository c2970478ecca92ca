#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether operations record the autograd graph on the current thread.
///
/// Recording is on by default. Inside ``withoutGradients(_:)`` ops produce results that do not require
/// gradients and keep no graph (PyTorch's `torch.no_grad()`). The setting is per thread, so a worker
/// thread evaluating a model cannot switch recording off for the training thread.
public enum GradientMode {
    // The nesting depth of no-gradient scopes, stored as the bit pattern of the thread-specific pointer
    // (nil = depth 0): no allocation, one `pthread_getspecific` per op.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        if status != 0 { fatalError("GradientMode: pthread_key_create failed with status \(status)") }
        return key
    }()

    /// Whether ops on this thread currently record gradients.
    public static var isEnabled: Bool { pthread_getspecific(key) == nil }

    static var disabledDepth: Int { Int(bitPattern: pthread_getspecific(key)) }

    static func setDisabledDepth(_ depth: Int) {
        _ = pthread_setspecific(key, UnsafeRawPointer(bitPattern: depth))
    }
}

/// Runs `body` with gradient recording switched off on this thread (PyTorch's `torch.no_grad()`).
///
/// Results computed inside do not require gradients and hold no graph, whatever their inputs. Scopes
/// nest; recording resumes when the outermost scope ends, also when `body` throws.
public func withoutGradients<Result, Failure: Error>(
    _ body: () throws(Failure) -> Result
) throws(Failure) -> Result {
    let depth = GradientMode.disabledDepth
    GradientMode.setDisabledDepth(depth + 1)
    defer { GradientMode.setDisabledDepth(depth) }
    return try body()
}
