import Foundation
import GlidepathTestSupport
import Testing

@testable import GlidepathReport

/// The HTML report in a real browser: headless Chromium (Debian's `chromium`, in the Makefile's
/// `APT_PACKAGES`) renders `index.html` of the synthetic study to a 1200 × 3000 PNG and dumps its DOM.
/// Checks: the PNG has those dimensions and is not blank (its compressed image data is many times that of
/// a blank page rendered the same way), and every figure of the report is an `<svg>` with its id in the
/// rendered DOM. Under `CI=true` a missing `chromium` fails; on a developer machine the test is disabled
/// with the reason.
@Suite("index.html in headless Chromium")
struct BrowserRenderTests {
    static let chromium: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            for name in ["chromium", "chromium-browser"] {
                let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
        }
        return nil
    }()

    @Test(
        "renders every figure and a non-blank page",
        .enabled(if: chromium != nil || TestEnvironment.isCI, "chromium is not installed (apt-get install chromium)"),
        .timeLimit(.minutes(3)))
    func render() throws {
        let browser = try #require(Self.chromium, "chromium is not installed (make setup installs it)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glidepath-browser-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let results = try StudyReportWriter.write(SyntheticStudy.input(), to: directory)
        let page = directory.appendingPathComponent("index.html")
        let blank = directory.appendingPathComponent("blank.html")
        try "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body></body></html>\n"
            .write(to: blank, atomically: true, encoding: .utf8)

        let screenshot = directory.appendingPathComponent("index.png")
        let blankShot = directory.appendingPathComponent("blank.png")
        _ = try Self.run(
            browser, ["--screenshot=\(screenshot.path)", "--window-size=1200,3000", page.absoluteString],
            profile: directory.appendingPathComponent("profile-1"))
        _ = try Self.run(
            browser, ["--screenshot=\(blankShot.path)", "--window-size=1200,3000", blank.absoluteString],
            profile: directory.appendingPathComponent("profile-2"))
        let image = try PNGSummary(Data(contentsOf: screenshot))
        let empty = try PNGSummary(Data(contentsOf: blankShot))
        #expect(image.width == 1200 && image.height == 3000, "screenshot is \(image.width) × \(image.height)")
        #expect(empty.width == 1200 && empty.height == 3000)
        // A blank 1200 × 3000 page deflates to a few kB; the report (text, tables, charts) to far more.
        #expect(
            image.imageDataBytes > 10 * empty.imageDataBytes,
            "report PNG data \(image.imageDataBytes) B vs blank \(empty.imageDataBytes) B: the page looks blank")

        let dom = try Self.run(
            browser, ["--dump-dom", page.absoluteString], profile: directory.appendingPathComponent("profile-3"))
        let expected = Set(results.figures().map(\.id))
        // 6 figures per task × 2 tasks, the final-metric figures (toy-a: accuracy, F1, AUC; toy-b: accuracy, F1),
        // and the performance profile.
        #expect(expected.count == 2 * 6 + 3 + 2 + 1)
        let found = Self.svgIDs(in: dom)
        #expect(
            found == expected,
            "missing from the DOM: \(expected.subtracting(found).sorted()); unexpected: \(found.subtracting(expected).sorted())"
        )
    }

    /// The ids of the `<svg …>` elements in `html`.
    static func svgIDs(in html: String) -> Set<String> {
        var ids = Set<String>()
        for piece in html.components(separatedBy: "<svg").dropFirst() {
            guard let end = piece.firstIndex(of: ">") else { continue }
            let tag = piece[..<end]
            guard let start = tag.range(of: #"id=""#) else { continue }
            let rest = tag[start.upperBound...]
            if let close = rest.firstIndex(of: "\"") { ids.insert(String(rest[..<close])) }
        }
        return ids
    }

    /// Runs headless Chromium with `arguments`; returns its standard output. Fails on a non-zero exit or
    /// after 120 s.
    static func run(_ browser: URL, _ arguments: [String], profile: URL) throws -> String {
        let process = Process()
        process.executableURL = browser
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--user-data-dir=\(profile.path)",
            ] + arguments
        // Output to files, not pipes: nothing to drain concurrently, no pipe-buffer deadlock.
        let outputURL = profile.appendingPathExtension("stdout"), errorURL = profile.appendingPathExtension("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL), errors = try FileHandle(forWritingTo: errorURL)
        defer { try? output.close(); try? errors.close() }
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // A safety limit only (the test asserts nothing about time): a hung browser must not hang `make test`.
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw BrowserError(message: "chromium \(arguments.joined(separator: " ")) did not finish in 120 s")
        }
        let stdout = (try? Data(contentsOf: outputURL)) ?? Data()
        let stderr = (try? Data(contentsOf: errorURL)) ?? Data()
        guard process.terminationStatus == 0 else {
            throw BrowserError(
                message:
                    "chromium exited with \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self).suffix(2000))"
            )
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    struct BrowserError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// What the browser test reads from a PNG file (ISO/IEC 15948, PNG 2nd ed.): the IHDR dimensions and the
/// total length of the IDAT chunks (the compressed image data), after checking the 8-byte signature.
struct PNGSummary {
    var width: Int
    var height: Int
    var imageDataBytes: Int

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw Invalid(description: "not a PNG (bad signature, \(bytes.count) bytes)")
        }
        func u32(_ offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        var offset = 8, width = 0, height = 0, idat = 0
        while offset + 8 <= bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            guard offset + 12 + length <= bytes.count else {
                throw Invalid(description: "chunk \(type) runs past the end")
            }
            if type == "IHDR" { width = u32(offset + 8); height = u32(offset + 12) }
            if type == "IDAT" { idat += length }
            if type == "IEND" { break }
            offset += 12 + length
        }
        guard width > 0 && height > 0 else { throw Invalid(description: "no IHDR chunk") }
        self.width = width
        self.height = height
        imageDataBytes = idat
    }
}
