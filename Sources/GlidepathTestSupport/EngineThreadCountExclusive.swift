import Testing

/// A test trait that runs its test alone with respect to the engine's thread count.
///
/// Why: `Engine.setThreadCount` (and every `TrainingSession`, which sets its run's count) changes
/// process-wide state — the engine's worker pool and OpenBLAS's thread count — and OpenBLAS's `sgemm`
/// rounds differently with 1 and 2 threads (measured: 9,557 of 128,000 outputs of a 500×256×108 product
/// differ in the last bits). All test targets run in one process and Swift Testing runs tests in
/// parallel, so a test that sets 2 threads can change the numerics of another test that compares two
/// runs bit for bit. Tests that set a thread count other than 1, and tests that need the count to stay
/// fixed for their whole duration, take this trait; they then never overlap each other.
public struct EngineThreadCountExclusive: TestTrait, TestScoping {
    public init() {}

    public func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else { return try await function() }
        await EngineThreadCountGate.shared.acquire()
        do {
            try await function()
        } catch {
            await EngineThreadCountGate.shared.release()
            throw error
        }
        await EngineThreadCountGate.shared.release()
    }
}

extension Trait where Self == EngineThreadCountExclusive {
    /// Runs the test alone with respect to the engine's thread count (``EngineThreadCountExclusive``).
    public static var exclusiveEngineThreadCount: Self { Self() }
}

/// A first-come, first-served async mutex: waiting suspends the task instead of blocking a thread.
actor EngineThreadCountGate {
    static let shared = EngineThreadCountGate()
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { held = false } else { waiters.removeFirst().resume() }
    }
}
