import Foundation

/// Splits review and sentence text into lower-case tokens.
///
/// Rules, applied in one pass over Unicode scalars:
/// 1. Markup is removed: `<` followed by a letter or `/` up to the next `>` (IMDB's `<br />`, `<i>`,
///    `</i>`…) becomes a space. HTML entities `&amp; &lt; &gt; &quot; &#39;` are decoded.
/// 2. Letters and digits (Unicode alphabetic or numeric) form words, lower-cased; an apostrophe
///    between two word characters stays inside the word (`don't`, `it's`).
/// 3. Every other non-space character is a token of its own (`!`, `?`, `.`, `,`, `(`, `…`).
///
/// Comparable to torchtext's `basic_english` (which also lower-cases and splits punctuation) but
/// keeps contractions whole and removes every tag rather than only `<br />`.
public struct Tokenizer: Equatable, Codable, Sendable {
    public init() {}

    /// The tokens of `text`.
    public func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = String.UnicodeScalarView()
        let scalars = Array(decodeEntities(text).unicodeScalars)
        var index = 0
        func flush() {
            if !word.isEmpty {
                tokens.append(String(word))
                word = String.UnicodeScalarView()
            }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "<", index + 1 < scalars.count,
               scalars[index + 1] == "/" || scalars[index + 1].properties.isAlphabetic,
               let close = scalars[(index + 1)...].prefix(200).firstIndex(of: ">") {
                flush()
                index = close + 1
                continue
            }
            if isWordScalar(scalar) {
                if scalar.isASCII {
                    let value = scalar.value
                    word.append((value >= 65 && value <= 90) ? Unicode.Scalar(value + 32)! : scalar)
                } else {
                    word.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            } else if (scalar == "'" || scalar == "\u{2019}") && !word.isEmpty && index + 1 < scalars.count
                        && isWordScalar(scalars[index + 1]) {
                word.append("'")
            } else {
                flush()
                if !scalar.properties.isWhitespace && scalar.value >= 0x20 {
                    tokens.append(String(Character(scalar)))
                }
            }
            index += 1
        }
        flush()
        return tokens
    }

    @inline(__always)
    private func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 97 && value <= 122) || (value >= 65 && value <= 90) || (value >= 48 && value <= 57)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    private func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = text
        for (entity, replacement) in [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'")] {
            result = result.replacingOccurrences(of: entity, with: replacement)
        }
        return result
    }
}
