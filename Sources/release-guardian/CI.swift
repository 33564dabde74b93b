import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct CI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ci",
            abstract: "In a pipeline: check the ref being built with the rules, and write its environment to the CI's outputs.",
            discussion: """
                Detects GitHub Actions (writes $GITHUB_OUTPUT and the step summary) and GitLab CI (writes \
                release-guardian.env for a dotenv report); elsewhere give --ref. A shallow clone is deepened \
                with `git fetch --unshallow` first (libgit2 cannot), or refused with the fix under --no-deepen. \
                Exit 0 allowed, 1 a rule refuses the ref, 2 the clone or repository is unusable.
                """)

        @Option(name: .long, help: "The ref to check (default: the CI's ref).")
        var ref: String?

        @Option(name: .long, help: "The remote the pipeline fetched from.")
        var remote = "origin"

        @Flag(name: .long, help: "Refuse a shallow clone (exit 2) instead of deepening it.")
        var noDeepen = false

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let directory = FileManager.default.currentDirectoryPath
            var options = CICheck.Options(ref: ref, directory: directory, environment: environment)
            options.remote = remote
            options.deepen = !noDeepen
            let outcome: CICheck.Outcome
            do {
                outcome = try CICheck(options: options).run()
            } catch {
                throw Terminal.fail("\(error)")
            }
            Terminal.out(CIReport.text(outcome))
            do {
                for file in try CIPublisher.publish(outcome, environment: environment, directory: directory) {
                    Terminal.out("  wrote \(file)")
                }
            } catch {
                throw Terminal.fail("\(error)")
            }
            if !outcome.allowed { throw ExitCode(1) }
        }
    }
}
