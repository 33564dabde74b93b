import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct RevertTo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revert-to",
            abstract: "Roll an environment back to a release tag, safely: plan, confirm, lease, backup, record, report.",
            discussion: """
                Fetches the source remote, checks the tag, shows what runs on each target and what goes away, asks to \
                confirm (type the environment's name; --yes off a terminal), keeps the overwritten head on the source \
                remote under refs/release-guardian/backup/, then pushes the tag's commit to each target's branch with a \
                lease. The working tree and HEAD are never touched. Exit 1: refused, nothing changed. Exit 2: could not \
                run; the message says what changed.
                """)

        @Argument(help: "The release tag to go back to (v4.0.0), or `previous`.")
        var tag: String

        @Option(name: .long, help: "The environment (its targets come from .release-guardian).")
        var env = "prod"

        @Flag(name: .long, help: "Confirm without asking (required off a terminal).")
        var yes = false

        @Flag(name: .long, help: "Show the plan and the checks, change nothing.")
        var dryRun = false

        @Option(name: .long, help: "Refuse unless every target runs this commit now.")
        var expect: String?

        @Option(name: .long, help: "Why: goes into the report and the ledger.")
        var reason: String?

        @Flag(name: .long, help: "Allow a tag that is not an ancestor of what runs now.")
        var allowDivergent = false

        @Flag(name: .long, help: "Go ahead without the rehearsal the environment's rehearseIn asks for (recorded).")
        var skipRehearsal = false

        @Option(name: .long, help: "Also write the Markdown report to this file.")
        var report: String?

        @Option(name: .long, help: "The source remote (fetched, and where backups and the ledger go).")
        var remote = "origin"

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let expect, !RevertRequest.isCommitID(expect) { throw ValidationError("--expect takes a full 40-digit commit id") }
        }

        func run() throws {
            var request = RevertRequest(tag: tag)
            request.environment = env
            request.expectedCommit = expect
            request.allowDivergent = allowDivergent
            request.skipRehearsal = skipRehearsal
            request.reason = reason
            request.sourceRemote = remote
            let confirmation: RevertSession.Confirmation =
                if yes {
                    .given
                } else if isatty(STDIN_FILENO) == 1 {
                    .ask { question in
                        Terminal.prompt(question.prompt)
                        return readLine(strippingNewline: true)
                    }
                } else {
                    .unavailable
                }
            let progress: (@Sendable (String) -> Void)? =
                isatty(STDERR_FILENO) == 1 ? { @Sendable line in Terminal.error("   " + line) } : nil
            let output = RevertSession.Output(
                json: self.output.json, result: { Terminal.out($0) }, document: { Terminal.json($0) },
                log: { Terminal.error($0) }, progress: progress)
            var session = RevertSession(
                request: request, directory: FileManager.default.currentDirectoryPath,
                environment: ProcessInfo.processInfo.environment, confirmation: confirmation, output: output)
            session.dryRun = dryRun
            session.reportFile = report
            do throws(RevertError) {
                _ = try session.run()
            } catch {
                throw refuse(error)
            }
        }

        /// Prints the error and picks the exit code: 1 for a refusal, 2 for a failure.
        private func refuse(_ error: RevertError) -> ExitCode {
            Terminal.error("release-guardian: \(error.isRefusal ? "refused" : "error"): \(error)")
            return ExitCode(error.isRefusal ? 1 : 2)
        }
    }
}
