import ArgumentParser
import Foundation
import GlidepathLab

/// Reports `message` as a command's one error line on standard error — after flushing standard
/// output, so the lines a command already printed come first — and returns the exit status to throw:
/// `throw reportFailure("error: …")`. The command then exits through argument-parser with status 1
/// (its `ExitCode` prints nothing more).
func reportFailure(_ message: String) -> ExitCode {
    fflush(nil)  // every output stream, standard output included
    printError(message)
    return .failure
}

/// Writes a whole output a user named on the command line (`-o`, `--output`, `--save-inputs`) with
/// ``OutputFile``'s rules — a symbolic link, FIFO or device is written through, never replaced; a
/// hard-linked file is written in place; an existing file keeps its mode; a directory, socket, block
/// device or dangling link is refused — and reports a failure as `error: COMMAND: cannot write the
/// output file PATH: reason` (exit 1).
func writeOutput(_ data: Data, to path: String, command: String) throws {
    do {
        try OutputFile.write(data, to: path)
    } catch {
        throw reportFailure("error: \(command): \(error)")
    }
}
