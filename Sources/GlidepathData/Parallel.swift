import Dispatch
import Foundation

/// The number of parallel work items that pays: one per active core.
var parallelism: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

/// `transform` applied to every element, on all cores, results in input order. Used where work items
/// are large and independent (one file each, or a chunk of texts); results do not depend on the
/// number of cores.
func parallelMap<Element: Sendable, Result: Sendable>(
    _ elements: [Element], _ transform: @Sendable (Element) throws(DataError) -> Result
) throws(DataError) -> [Result] {
    if elements.count <= 1 {
        var results: [Result] = []
        for element in elements { results.append(try transform(element)) }
        return results
    }
    let slots = ResultSlots<Result>(count: elements.count)
    DispatchQueue.concurrentPerform(iterations: elements.count) { index in
        do throws(DataError) {
            slots.store(.success(try transform(elements[index])), at: index)
        } catch {
            slots.store(.failure(error), at: index)
        }
    }
    var results: [Result] = []
    results.reserveCapacity(elements.count)
    for index in 0..<elements.count {
        // Every slot was written by concurrentPerform before it returned.
        switch slots.value(at: index) {
        case let .success(value)?: results.append(value)
        case let .failure(error)?: throw error
        case nil: preconditionFailure("parallelMap: slot \(index) was not written")
        }
    }
    return results
}

/// Per-index result storage written by distinct threads (each index exactly once) and read after
/// all writers have finished, so no lock is needed.
private final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private let count: Int
    private let base: UnsafeMutablePointer<Swift.Result<Value, DataError>?>

    init(count: Int) {
        base = UnsafeMutablePointer.allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
        self.count = count
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    func store(_ value: Swift.Result<Value, DataError>, at index: Int) { base[index] = value }
    func value(at index: Int) -> Swift.Result<Value, DataError>? { base[index] }
}
