import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The pre-push hook: reads git's pre-push lines on stdin and applies the rules.",
            discussion: "Exit 0 when the push is allowed, 1 when a rule refuses it, 2 when the input or the repository is unusable."
        )

        @Argument(help: "The remote's name (or its URL when pushing to a URL), as git passes it.")
        var remote: String?

        @Argument(help: "The remote's URL, as git passes it.")
        var url: String?

        @OptionGroup var output: OutputOptions

        func run() throws {
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            let verdict: PushCheck.Verdict
            do {
                verdict = try PushCheck(directory: FileManager.default.currentDirectoryPath).run(input: input, remote: remote)
            } catch {
                throw Terminal.fail("\(error)")
            }
            if output.json {
                Terminal.json(CheckReport(allowed: verdict.allowed, violations: verdict.violations))
            }
            guard verdict.allowed else {
                Terminal.printRefusal(verdict.violations)
                throw ExitCode(1)
            }
        }
    }
}

/// `--json` output of `check`.
struct CheckReport: Encodable {
    let allowed: Bool
    let violations: [Violation]
}
