import ArgumentParser
import Foundation

/// Reports `message` as a command's one error line on standard error — after flushing standard
/// output, so the lines a command already printed come first — and returns the exit status to throw:
/// `throw reportFailure("error: …")`. The command then exits through argument-parser with status 1
/// (its `ExitCode` prints nothing more).
func reportFailure(_ message: String) -> ExitCode {
    fflush(nil)  // every output stream, standard output included
    printError(message)
    return .failure
}
