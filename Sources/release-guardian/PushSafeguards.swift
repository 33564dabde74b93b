import ArgumentParser
import Foundation
import ReleaseGuardian

/// What `deploy`, `revert-to` and `undo` share: the flags of a push made safe, and the session
/// that runs it with a terminal's confirmation and output.
struct PushSafeguards: ParsableArguments {
    @Flag(name: .long, help: "Confirm without asking (required off a terminal).")
    var yes = false

    @Flag(name: .long, help: "Show the plan and the checks, change nothing.")
    var dryRun = false

    @Option(name: .long, help: "Refuse unless every target runs this commit now.")
    var expect: String?

    @Option(name: .long, help: "Why: goes into the report and the ledger.")
    var reason: String?

    @Flag(name: .long, help: "Go across a migration gap without a before command (recorded): you bring the database back.")
    var acceptMigrationGap = false

    @Option(name: .long, help: "Also write the Markdown report to this file.")
    var report: String?

    @Option(name: .long, help: "The source remote (fetched, and where backups and the ledger go).")
    var remote = "origin"

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let expect, !RevertRequest.isCommitID(expect) { throw ValidationError("--expect takes a full 40-digit commit id") }
    }

    /// Runs the session for `request` (with these flags set on it); a refusal exits 1, a
    /// failure 2, with the message on stderr.
    func run(_ request: RevertRequest) throws {
        var request = request
        request.expectedCommit = expect
        request.reason = reason
        request.sourceRemote = remote
        request.acceptMigrationGap = acceptMigrationGap
        // Progress only on a terminal, on one line that whatever is printed next ends first.
        let progressLine = isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil
        defer { progressLine?.end() }
        let confirmation: RevertSession.Confirmation =
            if yes {
                .given
            } else if isatty(STDIN_FILENO) == 1 {
                .ask { question in
                    progressLine?.end()
                    Terminal.prompt(question.prompt)
                    return readLine(strippingNewline: true)
                }
            } else {
                .unavailable
            }
        let progress: (@Sendable (String) -> Void)? = progressLine.map { line in { @Sendable text in line.update(text) } }
        let output = RevertSession.Output(
            json: self.output.json,
            result: {
                progressLine?.end()
                Terminal.out(Terminal.inert($0))
            },
            document: {
                progressLine?.end()
                Terminal.json($0)
            },
            log: {
                progressLine?.end()
                Terminal.error(Terminal.inert($0))
            }, progress: progress)
        var session = RevertSession(
            request: request, directory: FileManager.default.currentDirectoryPath,
            environment: ProcessInfo.processInfo.environment, confirmation: confirmation, output: output)
        session.dryRun = dryRun
        session.reportFile = report
        do throws(RevertError) {
            _ = try session.run()
        } catch {
            progressLine?.end()
            let code: Int32 = error.isRefusal ? 1 : 2
            Terminal.error(Terminal.inert("release-guardian: \(error.isRefusal ? "refused" : "error"): \(error)"))
            // A pipeline that asked for JSON gets a document on a refusal or a failure too.
            if output.json { Terminal.json(FailureJSON(refused: error.isRefusal, error: error.description, exitCode: code)) }
            throw ExitCode(code)
        }
    }
}

/// `--json` on a refusal or a failure.
struct FailureJSON: Encodable {
    let refused: Bool
    let error: String
    let exitCode: Int32
}
