import Testing

/// Whether `actual` is within `absoluteTolerance + relativeTolerance·|expected|` of `expected`.
/// NaN is close only to NaN; infinities only to themselves.
public func isClose(
    _ actual: Double, _ expected: Double,
    absoluteTolerance: Double = 0, relativeTolerance: Double = 0
) -> Bool {
    if actual.isNaN || expected.isNaN { return actual.isNaN && expected.isNaN }
    if actual.isInfinite || expected.isInfinite { return actual == expected }
    return abs(actual - expected) <= absoluteTolerance + relativeTolerance * abs(expected)
}

/// Records a test issue at the caller's file and line unless `actual` is close to `expected`
/// (see ``isClose(_:_:absoluteTolerance:relativeTolerance:)``).
public func expectClose(
    _ actual: Double, _ expected: Double,
    absoluteTolerance: Double = 0, relativeTolerance: Double = 0,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        isClose(actual, expected, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance),
        "\(actual) is not within abs \(absoluteTolerance) + rel \(relativeTolerance) of \(expected)\(comment.map { ": \($0)" } ?? "")",
        sourceLocation: sourceLocation)
}

/// Element-wise ``expectClose(_:_:absoluteTolerance:relativeTolerance:_:sourceLocation:)`` over two
/// arrays of equal length; reports the first differing index.
public func expectClose(
    _ actual: [Double], _ expected: [Double],
    absoluteTolerance: Double = 0, relativeTolerance: Double = 0,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.count == expected.count else {
        Issue.record("count \(actual.count) != expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    for index in actual.indices
    where !isClose(
        actual[index], expected[index],
        absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
    {
        Issue.record(
            "index \(index): \(actual[index]) is not within abs \(absoluteTolerance) + rel \(relativeTolerance) of \(expected[index])\(comment.map { ": \($0)" } ?? "")",
            sourceLocation: sourceLocation)
        return
    }
}
