import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Moves a file from a URL to a local path. ``URLSessionTransport`` is the real one; tests and
/// offline mirrors use `file://` URLs, which it also serves by copying.
public protocol DownloadTransport: Sendable {
    /// Downloads `url` to `destination` (which does not exist yet).
    func download(_ url: URL, to destination: URL) throws(DataError)
}

/// Downloads over HTTP(S) with Foundation's `URLSession`; copies `file://` URLs.
public struct URLSessionTransport: DownloadTransport {
    public init() {}

    public func download(_ url: URL, to destination: URL) throws(DataError) {
        if url.isFileURL {
            do {
                try FileManager.default.copyItem(at: url, to: destination)
            } catch {
                throw DataError(
                    file: url.path, problem: FileAccess.exists(url.path) ? .unreadable("\(error)") : .missingFile)
            }
            return
        }
        let outcome = DownloadOutcome()
        let semaphore = DispatchSemaphore(value: 0)
        let task = URLSession.shared.downloadTask(with: url) { temporary, response, error in
            defer { semaphore.signal() }
            if let error {
                outcome.set(
                    .failure(DataError(file: url.absoluteString, problem: .downloadFailed(error.localizedDescription))))
                return
            }
            if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                outcome.set(
                    .failure(
                        DataError(file: url.absoluteString, problem: .downloadFailed("HTTP status \(http.statusCode)")))
                )
                return
            }
            guard let temporary else {
                outcome.set(.failure(DataError(file: url.absoluteString, problem: .downloadFailed("no file received"))))
                return
            }
            // The temporary file is deleted when this handler returns: move it now.
            do {
                try FileManager.default.moveItem(at: temporary, to: destination)
                outcome.set(.success(()))
            } catch {
                outcome.set(
                    .failure(DataError(file: destination.path, problem: .unreadable("cannot store download: \(error)")))
                )
            }
        }
        task.resume()
        semaphore.wait()
        if case let .failure(error) = outcome.get() { throw error }
    }
}

/// The completion handler's result, handed across threads under a lock.
private final class DownloadOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<Void, DataError> = .failure(DataError(file: "", problem: .downloadFailed("no response")))
    func set(_ result: Result<Void, DataError>) { lock.lock(); value = result; lock.unlock() }
    func get() -> Result<Void, DataError> { lock.lock(); defer { lock.unlock() }; return value }
}

/// What happened to one file during a fetch.
public struct FetchedFile: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable {
        /// Already present with the right checksum; not downloaded again.
        case alreadyPresent
        /// Downloaded from this URL and verified.
        case downloaded(from: String)
    }
    public var path: String
    public var outcome: Outcome
}

/// Downloads a dataset's canonical files with checksum verification.
///
/// Each file goes to `NAME.partial` first; only a file whose MD5 equals the published one is renamed
/// into place, so an interrupted or corrupt download never leaves a file that looks complete. URLs
/// are tried in order (canonical first, then published mirrors); a `mirror` directory or URL, when
/// given, is tried before them with the same file name. After the SST-2 zip is verified, its three
/// TSVs are extracted (each checked against its published MD5) so the reader finds them.
public struct DatasetFetcher: Sendable {
    public var transport: any DownloadTransport

    public init(transport: any DownloadTransport = URLSessionTransport()) {
        self.transport = transport
    }

    public func fetch(_ name: DatasetName, into directory: String, mirror: String? = nil) throws(DataError)
        -> [FetchedFile]
    {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError(file: directory, problem: .unreadable("cannot create directory: \(error)"))
        }
        var results: [FetchedFile] = []
        for item in DatasetCatalog.entry(name).downloads {
            results.append(try fetch(item, into: directory, mirror: mirror))
        }
        if name == .sst2 {
            try extractSST2(zip: (directory as NSString).appendingPathComponent("SST-2.zip"), into: directory)
        }
        return results
    }

    /// Fetches one file (see the type's documentation). When every source fails, the error thrown is
    /// the first checksum mismatch if there was one (the most telling), else the last failure.
    public func fetch(_ item: DownloadItem, into directory: String, mirror: String? = nil) throws(DataError)
        -> FetchedFile
    {
        let target = (directory as NSString).appendingPathComponent(item.fileName)
        if FileAccess.exists(target), (try? MD5.hexDigest(ofFile: target)) == item.md5 {
            return FetchedFile(path: target, outcome: .alreadyPresent)
        }
        var candidates: [String] = []
        if let mirror {
            candidates.append(mirror.hasSuffix("/") ? mirror + item.fileName : mirror + "/" + item.fileName)
        }
        candidates += item.urls
        let partial = target + ".partial"
        var lastError = DataError(file: target, problem: .downloadFailed("no URL"))
        var firstMismatch: DataError?
        for candidate in candidates {
            guard let url = candidate.contains("://") ? URL(string: candidate) : URL(fileURLWithPath: candidate) else {
                continue
            }
            try? FileManager.default.removeItem(atPath: partial)
            do throws(DataError) {
                try transport.download(url, to: URL(fileURLWithPath: partial))
                let digest = try MD5.hexDigest(ofFile: partial)
                guard digest == item.md5 else {
                    throw DataError(file: candidate, problem: .checksumMismatch(expected: item.md5, actual: digest))
                }
                try? FileManager.default.removeItem(atPath: target)
                do {
                    try FileManager.default.moveItem(atPath: partial, toPath: target)
                } catch {
                    throw DataError(
                        file: target, problem: .unreadable("cannot move the verified download into place: \(error)"))
                }
                return FetchedFile(path: target, outcome: .downloaded(from: candidate))
            } catch {
                try? FileManager.default.removeItem(atPath: partial)
                if case .checksumMismatch = error.problem, firstMismatch == nil { firstMismatch = error }
                lastError = error
            }
        }
        throw firstMismatch ?? lastError
    }

    /// Extracts `SST-2/{train,dev,test}.tsv` from GLUE's zip, checking each against its published MD5.
    public func extractSST2(zip: String, into directory: String) throws(DataError) {
        let archive = try ZipArchive(path: zip)
        let known = DatasetCatalog.entry(.sst2).knownFiles
        for name in ["train.tsv", "dev.tsv", "test.tsv"] {
            let content = try archive.content(of: "SST-2/" + name)
            let digest = MD5.hexDigest(of: content)
            if let expected = known[name]?.first?.md5, digest != expected {
                throw DataError(
                    file: zip, location: .member("SST-2/" + name, byteOffset: nil),
                    problem: .checksumMismatch(expected: expected, actual: digest))
            }
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                try Data(content).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw DataError(file: path, problem: .unreadable("cannot write: \(error)"))
            }
        }
    }
}
