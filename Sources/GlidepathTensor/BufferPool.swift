import Synchronization

/// A process-wide cache of float buffers, keyed by size class.
///
/// Training loops allocate the same activation and gradient sizes every step; returning those buffers
/// to a cache instead of `free` removes the page faults and zeroing that `docs/engine.md` ("Design measurements")
/// reports at about 10× below memcpy speed (11% of an MLP step). Buffers come back uninitialised.
///
/// Size classes: exact multiples of 16 floats up to 4096 floats, then 8 classes per power of two (at
/// most 12.5% slack), so steady-state training reuses buffers without growing RSS by powers of two.
public final class BufferPool: Sendable {
    /// The shared pool used by every tensor.
    public static let shared = BufferPool()

    private struct State {
        // Free lists indexed by size class (no hashing on the hot path). Addresses as integers: raw
        // pointers are not Sendable, and the mutex state must be.
        var free = [[UInt]](repeating: [], count: BufferPool.classCount)
        var cachedFloats = 0
        var limitFloats = 1 << 28  // 1 GiB of cached floats by default
        var hits = 0
        var misses = 0
    }

    private let state = Mutex(State())

    /// Size classes: 256 multiples of 16 floats, then 8 per power of two up to 2⁶³.
    static let classCount = 256 + 8 * 52

    /// The size class of a request of `count` floats: its index and capacity in floats.
    @inline(__always)
    static func sizeClass(for count: Int) -> (index: Int, capacity: Int) {
        if count <= 4096 {
            let units = Swift.max(1, (count + 15) >> 4)
            return (units - 1, units << 4)
        }
        let high = Int.bitWidth - 1 - (count - 1).leadingZeroBitCount  // floor(log2(count − 1)) ≥ 12
        let step = 1 << (high - 3)
        let steps = (count + step - 1) / step  // 9...16
        return (256 + (high - 12) * 8 + (steps - 9), steps * step)
    }

    /// Floats a request of `count` occupies in the pool (its size class).
    static func capacity(for count: Int) -> Int { sizeClass(for: count).capacity }

    /// A buffer holding at least `count` floats (uninitialised) and its capacity.
    func acquire(count: Int) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        let (index, capacity) = Self.sizeClass(for: count)
        let cachedAddress: UInt? = state.withLock { state in
            if let pointer = state.free[index].popLast() {
                state.cachedFloats -= capacity
                state.hits += 1
                return pointer
            }
            state.misses += 1
            return nil
        }
        if let cachedAddress, let cached = UnsafeMutablePointer<Float>(bitPattern: cachedAddress) {
            return (cached, capacity)
        }
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: capacity * MemoryLayout<Float>.stride, alignment: 64)
        return (raw.bindMemory(to: Float.self, capacity: capacity), capacity)
    }

    /// Returns a buffer obtained from ``acquire(count:)``; frees it when the cache is over its limit.
    func release(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        let address = UInt(bitPattern: pointer)
        let index = Self.sizeClass(for: capacity).index
        let keep = state.withLock { state in
            guard state.cachedFloats + capacity <= state.limitFloats else { return false }
            state.free[index].append(address)
            state.cachedFloats += capacity
            return true
        }
        if !keep { UnsafeMutableRawPointer(pointer).deallocate() }
    }

    /// The most bytes the pool keeps cached (not in use). Buffers returned beyond it are freed.
    public var cacheLimitBytes: Int {
        get { state.withLock { $0.limitFloats * MemoryLayout<Float>.stride } }
        set { state.withLock { $0.limitFloats = max(0, newValue / MemoryLayout<Float>.stride) } }
    }

    /// Bytes currently cached and free for reuse.
    public var cachedBytes: Int { state.withLock { $0.cachedFloats * MemoryLayout<Float>.stride } }

    /// Requests served from the cache and requests that needed a fresh allocation, since start-up.
    public var statistics: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// Frees every cached buffer (buffers in use are unaffected).
    public func purge() {
        let lists = state.withLock { state -> [[UInt]] in
            let lists = state.free
            state.free = [[UInt]](repeating: [], count: BufferPool.classCount)
            state.cachedFloats = 0
            return lists
        }
        for list in lists {
            for address in list { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
        }
    }
}

/// The memory behind one or more tensors: a pooled, 64-byte aligned float buffer.
///
/// Views (reshape, transpose, slice) share one storage; it returns to the ``BufferPool`` when the last
/// view is gone.
public final class TensorStorage: @unchecked Sendable {
    /// The first float of the buffer.
    public let pointer: UnsafeMutablePointer<Float>
    /// Floats usable from ``pointer`` (the requested count, not the pool's capacity).
    public let count: Int
    private let capacity: Int

    /// Uninitialised storage of `count` floats.
    init(uninitializedCount count: Int) {
        let (pointer, capacity) = BufferPool.shared.acquire(count: count)
        self.pointer = pointer
        self.count = count
        self.capacity = capacity
    }

    /// Storage of `count` floats set to `value`.
    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit { BufferPool.shared.release(pointer, capacity: capacity) }
}
