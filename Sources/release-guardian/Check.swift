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
            let status = Self.check(remote: remote, json: output.json)
            if status != 0 { throw ExitCode(status) }
        }

        /// The check itself, shared with the start-up shortcut in main.swift. Returns the exit status.
        static func check(remote: String?, json: Bool) -> Int32 {
            let input = Terminal.readStandardInput()
            let verdict: PushCheck.Verdict
            do {
                verdict = try PushCheck(directory: FileManager.default.currentDirectoryPath).run(input: input, remote: remote)
            } catch {
                return Terminal.fail("\(error)").rawValue
            }
            if verdict.sawNoRef {
                switch PushCheck.EmptyInput(environment: { getenv($0).map { String(cString: $0) } }) {
                case .warning(let text): Terminal.error("release-guardian: warning: \(text)")
                case .unusable(let text): return Terminal.fail(text).rawValue
                }
            }
            if json {
                Terminal.json(CheckReport(allowed: verdict.allowed, violations: verdict.violations))
            }
            guard verdict.allowed else {
                Terminal.printRefusal(verdict.violations)
                return 1
            }
            return 0
        }

        /// `check [--json] [REMOTE [URL]]` exactly as git's hook calls it, recognised without
        /// ArgumentParser (nil for anything else, which ArgumentParser then handles).
        static func plainInvocation(_ arguments: [String]) -> (remote: String?, json: Bool)? {
            guard arguments.first == "check" else { return nil }
            var positional: [String] = []
            var json = false
            for argument in arguments.dropFirst() {
                if argument == "--json" {
                    json = true
                } else if argument.hasPrefix("-") || positional.count == 2 {
                    return nil
                } else {
                    positional.append(argument)
                }
            }
            return (positional.first, json)
        }
    }
}

/// `--json` output of `check`.
struct CheckReport: Encodable {
    let allowed: Bool
    let violations: [Violation]
}
