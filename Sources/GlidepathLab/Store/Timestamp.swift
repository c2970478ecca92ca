import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// UTC calendar fields of a `Date`, formatted with fixed widths: the lab's only date formatting, so run
/// identifiers and stored timestamps do not depend on locale or time zone settings.
enum Timestamp {
    struct Fields {
        var year, month, day, hour, minute, second, millisecond: Int
    }

    static func fields(of date: Date) -> Fields {
        let interval = date.timeIntervalSince1970
        let wholeSeconds = interval.rounded(.down)
        var seconds = time_t(wholeSeconds)
        var calendar = tm()
        gmtime_r(&seconds, &calendar)
        let millisecond = min(999, Int(((interval - wholeSeconds) * 1000).rounded(.down)))
        return Fields(
            year: Int(calendar.tm_year) + 1900, month: Int(calendar.tm_mon) + 1, day: Int(calendar.tm_mday),
            hour: Int(calendar.tm_hour), minute: Int(calendar.tm_min), second: Int(calendar.tm_sec),
            millisecond: millisecond)
    }

    /// `2026-11-23T07:17:49.123Z`.
    static func iso8601(_ date: Date) -> String {
        let f = fields(of: date)
        return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2))T\(pad(f.hour, 2)):\(pad(f.minute, 2)):"
            + "\(pad(f.second, 2)).\(pad(f.millisecond, 3))Z"
    }

    /// Parses ``iso8601(_:)``'s format back to a `Date` (millisecond precision), or `nil`.
    static func parse(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { "-T:.Z".contains($0) }).map { Int($0) }
        guard parts.count == 7, text.count == 24, let year = parts[0], let month = parts[1], let day = parts[2],
            let hour = parts[3], let minute = parts[4], let second = parts[5], let millisecond = parts[6]
        else { return nil }
        var calendar = tm()
        calendar.tm_year = Int32(year - 1900)
        calendar.tm_mon = Int32(month - 1)
        calendar.tm_mday = Int32(day)
        calendar.tm_hour = Int32(hour)
        calendar.tm_min = Int32(minute)
        calendar.tm_sec = Int32(second)
        let seconds = timegm(&calendar)
        return Date(timeIntervalSince1970: Double(seconds) + Double(millisecond) / 1000)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
