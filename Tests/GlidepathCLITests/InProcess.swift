import ArgumentParser
import Foundation

@testable import GlidepathCLI

/// `glidepath arguments…` parsed (argument-parser's `parseAsRoot`, validation included) and run in
/// this process: the exit status and the error text the binary prints. For the tests of arguments,
/// which need no child process; signals, resume and the built binary keep their subprocess tests.
func runInProcess(_ arguments: [String]) -> (status: Int32, message: String) {
    do {
        var command = try GlidepathCommand.parseAsRoot(arguments)
        try command.run()
        return (0, "")
    } catch {
        return (GlidepathCommand.exitCode(for: error).rawValue, GlidepathCommand.fullMessage(for: error))
    }
}
