import Foundation
import GRDB

/// Throwing, strict decoding of stored values.
///
/// GRDB's `row["column"]` subscripts trap (`fatalError`) when a value does not convert — a `loss` holding
/// the text `"abc"` in a damaged or tampered store would crash `runs show`. Every column is read here as
/// a raw `DatabaseValue` and converted with `fromDatabaseValue`, which returns `nil` instead of trapping
/// and never applies SQLite's lossy conversions (text to 0.0); a failure becomes
/// ``RunStoreError/undecodable(path:runId:table:column:value:expected:)`` naming the run, table and column.
extension RunStore {
    /// The non-NULL value of `column`.
    static func column<Value: DatabaseValueConvertible>(
        _ row: Row, _ column: String, _ type: Value.Type, table: String, run: RunIdentifier?, path: String
    ) throws(RunStoreError) -> Value {
        let raw = try rawValue(row, column, table: table, run: run, path: path)
        guard let value = Value.fromDatabaseValue(raw) else {
            throw .undecodable(
                path: path, runId: run?.rawValue, table: table, column: column,
                value: describe(raw), expected: "\(Value.self)")
        }
        return value
    }

    /// The value of a nullable `column`: `nil` for NULL.
    static func optionalColumn<Value: DatabaseValueConvertible>(
        _ row: Row, _ column: String, _ type: Value.Type, table: String, run: RunIdentifier?, path: String
    ) throws(RunStoreError) -> Value? {
        let raw = try rawValue(row, column, table: table, run: run, path: path)
        if raw.isNull { return nil }
        guard let value = Value.fromDatabaseValue(raw) else {
            throw .undecodable(
                path: path, runId: run?.rawValue, table: table, column: column,
                value: describe(raw), expected: "\(Value.self) or NULL")
        }
        return value
    }

    private static func rawValue(_ row: Row, _ column: String, table: String, run: RunIdentifier?, path: String)
        throws(RunStoreError) -> DatabaseValue
    {
        guard row.hasColumn(column) else {
            throw .undecodable(
                path: path, runId: run?.rawValue, table: table, column: column, value: "<missing column>",
                expected: "a column \(column)")
        }
        do {
            return try row.decode(DatabaseValue.self, forColumn: column)
        } catch {
            throw .undecodable(
                path: path, runId: run?.rawValue, table: table, column: column, value: "<unreadable>",
                expected: "\(error)")
        }
    }

    /// A short rendering of a stored value for an error message (at most 60 characters of text).
    static func describe(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return "NULL"
        case .int64(let integer): return String(integer)
        case .double(let double): return "\(double)"
        case .string(let text):
            let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
            return "'\(shown)' (text)"
        case .blob(let data): return "<blob of \(data.count) bytes>"
        }
    }
}

/// One stored row read through ``RunStore/column(_:_:_:table:run:path:)``: every accessor throws
/// ``RunStoreError/undecodable(path:runId:table:column:value:expected:)`` instead of trapping.
struct StoredRow {
    let row: Row
    let table: String
    let run: RunIdentifier?
    let path: String

    /// The non-NULL value of `column`.
    func value<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type = Value.self)
        throws(RunStoreError) -> Value
    {
        try RunStore.column(row, column, Value.self, table: table, run: run, path: path)
    }

    /// The value of a nullable `column`.
    func optional<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type = Value.self)
        throws(RunStoreError) -> Value?
    {
        try RunStore.optionalColumn(row, column, Value.self, table: table, run: run, path: path)
    }
}
