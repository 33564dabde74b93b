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
                --json prints the outcome as one JSON document on stdout (the text goes to stderr). \
                A tag covered by release.baseline (at or below it, made no later than the baseline tag) is \
                history: allowed without being judged again, and said so (see `release-guardian audit`). \
                Exit 0 allowed, 1 a rule refuses the ref, 2 the clone or repository is unusable, 64 usage error.
                """)

        @Option(name: .long, help: "The ref to check (default: the CI's ref).", completion: .ref)
        var ref: String?

        @Option(name: .long, help: "The remote the pipeline fetched from.")
        var remote = "origin"

        @Flag(name: .long, help: "Refuse a shallow clone (exit 2) instead of deepening it.")
        var noDeepen = false

        @OptionGroup var output: OutputOptions

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
                throw fail("\(error)")
            }
            // Under --json stdout holds the document alone; the job log still gets the text.
            if output.json { Terminal.error(CIReport.text(outcome)) } else { Terminal.out(CIReport.text(outcome)) }
            let written: [String]
            do {
                written = try CIPublisher.publish(outcome, environment: environment, directory: directory)
            } catch {
                throw fail("\(error)")
            }
            if output.json {
                Terminal.json(CIReport.Document(outcome, written: written))
            } else {
                for file in written { Terminal.out("  wrote \(file)") }
            }
            if !outcome.allowed { throw ExitCode(1) }
        }

        /// Could not run: the message on stderr, and under --json a document on stdout too.
        private func fail(_ message: String) -> ExitCode {
            if output.json { Terminal.json(FailureJSON(refused: false, error: message, exitCode: 2)) }
            return Terminal.fail(message)
        }
    }
}
