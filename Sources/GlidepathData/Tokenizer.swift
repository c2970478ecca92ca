/// Splits review and sentence text into lower-case tokens.
///
/// Rules, applied in one pass over the UTF-8 bytes (ASCII on a fast path, other scalars decoded):
/// 1. Markup is removed: `<` followed by an ASCII letter or `/`, up to the next `>` within 200 bytes
///    (IMDB's `<br />`, `<i>`, `</i>`…), separates tokens. The HTML entities `&amp; &lt; &gt; &quot;
///    &#39;` are decoded (a decoded `<` never starts markup).
/// 2. Letters and digits (ASCII, or Unicode alphabetic/numeric) form words, lower-cased; an
///    apostrophe (`'` or U+2019) between two word characters stays inside the word as `'` (`don't`).
/// 3. Every other non-space, non-control character is a token of its own (`!`, `?`, `.`, `(`, `…`).
///
/// Comparable to torchtext's `basic_english` (which also lower-cases and splits punctuation) but
/// keeps contractions whole and removes every tag rather than only `<br />`.
public struct Tokenizer: Equatable, Codable, Sendable {
    public init() {}

    /// The tokens of `text`.
    public func tokens(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { bytes in tokenize(bytes) }
    }

    private static let entities: [(pattern: [UInt8], replacement: UInt8)] = [
        (Array("&amp;".utf8), UInt8(ascii: "&")), (Array("&lt;".utf8), UInt8(ascii: "<")),
        (Array("&gt;".utf8), UInt8(ascii: ">")), (Array("&quot;".utf8), UInt8(ascii: "\"")),
        (Array("&#39;".utf8), UInt8(ascii: "'")),
    ]

    /// One decoded unit of input: an ASCII byte (possibly from an entity) or a non-ASCII scalar.
    private struct Unit {
        var ascii: UInt8?  // nil for a non-ASCII scalar
        var scalar: Unicode.Scalar
        var length: Int  // bytes consumed
        var fromEntity: Bool
    }

    private func unit(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Unit {
        let byte = bytes[index]
        if byte < 0x80 {
            if byte == UInt8(ascii: "&") {
                for entity in Self.entities where index + entity.pattern.count <= bytes.count {
                    if (0..<entity.pattern.count).allSatisfy({ bytes[index + $0] == entity.pattern[$0] }) {
                        return Unit(
                            ascii: entity.replacement, scalar: Unicode.Scalar(entity.replacement),
                            length: entity.pattern.count, fromEntity: true)
                    }
                }
            }
            return Unit(ascii: byte, scalar: Unicode.Scalar(byte), length: 1, fromEntity: false)
        }
        // Decode one UTF-8 scalar; invalid sequences become U+FFFD (as String(decoding:) would).
        var iterator = UnsafeBufferPointer(rebasing: bytes[index...]).makeIterator()
        var decoder = UTF8()
        var consumed = 0
        var scalar: Unicode.Scalar = "\u{FFFD}"
        switch decoder.decode(&iterator) {
        case let .scalarValue(value): scalar = value; consumed = UTF8.width(value)
        case .emptyInput, .error: consumed = 1
        }
        return Unit(ascii: nil, scalar: scalar, length: max(consumed, 1), fromEntity: false)
    }

    @inline(__always)
    private func isASCIIWord(_ byte: UInt8) -> Bool {
        (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57)
    }

    private func isWord(_ unit: Unit) -> Bool {
        if let ascii = unit.ascii { return isASCIIWord(ascii) }
        return unit.scalar.properties.isAlphabetic || unit.scalar.properties.numericType != nil
    }

    private func tokenize(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var tokens: [String] = []
        var word: [UInt8] = []
        word.reserveCapacity(32)
        func flush() {
            if !word.isEmpty {
                tokens.append(String(decoding: word, as: UTF8.self))
                word.removeAll(keepingCapacity: true)
            }
        }
        var index = 0
        while index < bytes.count {
            let current = unit(at: index, in: bytes)
            if let ascii = current.ascii {
                if isASCIIWord(ascii) {
                    word.append(ascii >= 65 && ascii <= 90 ? ascii + 32 : ascii)
                    index += current.length
                    continue
                }
                if ascii == UInt8(ascii: "<"), !current.fromEntity, index + 1 < bytes.count,
                    bytes[index + 1] == UInt8(ascii: "/")
                        || (bytes[index + 1] | 0x20 >= 97 && bytes[index + 1] | 0x20 <= 122),
                    let close = (index + 1..<min(index + 200, bytes.count)).first(where: {
                        bytes[$0] == UInt8(ascii: ">")
                    })
                {
                    flush()
                    index = close + 1
                    continue
                }
            } else if isWord(current) {
                for scalar in current.scalar.properties.lowercaseMapping.unicodeScalars {
                    UTF8.encode(scalar) { word.append($0) }
                }
                index += current.length
                continue
            }
            let next = index + current.length
            let isApostrophe = current.scalar == "'" || current.scalar == "\u{2019}"
            if isApostrophe, !word.isEmpty, next < bytes.count, isWord(unit(at: next, in: bytes)) {
                word.append(UInt8(ascii: "'"))
                index = next
                continue
            }
            flush()
            let isSpace =
                current.ascii.map { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) } ?? current.scalar.properties.isWhitespace
            if !isSpace && current.scalar.value >= 0x20 && current.scalar.value != 0x7F {
                tokens.append(String(Character(current.scalar)))
            }
            index = next
        }
        flush()
        return tokens
    }
}
