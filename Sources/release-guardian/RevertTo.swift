import ArgumentParser
import Foundation
import Git
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

        @Option(name: .long, help: "Also write the Markdown report to this file.")
        var report: String?

        @Option(name: .long, help: "The source remote (fetched, and where backups and the ledger go).")
        var remote = "origin"

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let expect, ObjectID(hex: expect) == nil { throw ValidationError("--expect takes a full 40-digit commit id") }
        }

        func run() throws {
            let interactive = isatty(STDIN_FILENO) == 1
            guard dryRun || yes || interactive else { throw refuse(RevertError.needsConfirmation) }
            let repository: Repository
            let settings: Settings
            do {
                repository = try Repository.discover(from: FileManager.default.currentDirectoryPath)
                settings = try Settings.load(for: repository)
            } catch {
                throw Terminal.fail("\(error)")
            }
            let progress: (@Sendable (String) -> Void)? = isatty(STDERR_FILENO) == 1 ? { @Sendable line in Terminal.error("   " + line) } : nil
            let transport = TransportPolicy(settings: settings, environment: ProcessInfo.processInfo.environment).options(progress: progress)
            let log: (String) -> Void = { Terminal.error($0) }
            var request = RevertRequest(tag: tag)
            request.environment = env
            request.expect = expect.flatMap(ObjectID.init(hex:))
            request.allowDivergent = allowDivergent
            request.reason = reason
            request.sourceRemote = remote

            let plan: RevertPlan
            do throws(RevertError) {
                plan = try RevertPlanner(repository: repository, settings: settings, transport: transport, log: log).plan(request)
            } catch {
                throw refuse(error)
            }
            if !output.json { Terminal.out(RevertReport.planText(plan)) }
            if dryRun {
                if output.json { Terminal.json(RevertJSON(plan: plan, outcome: nil)) } else { Terminal.out("Dry run: nothing was changed.") }
                return
            }
            let executor = RevertExecutor(repository: repository, transport: transport, log: log)
            executor.settleInterrupted(plan)
            if plan.isNoOp {
                if output.json { Terminal.json(RevertJSON(plan: plan, outcome: nil)) }
                Terminal.error("Every target already runs \(plan.tag): nothing to do.")
                return
            }
            if yes {
                log("5. Confirmed by --yes.")
            } else {
                FileHandle.standardError.write(Data("5. Type the environment's name (\(plan.environment)) to go ahead: ".utf8))
                let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
                guard answer == plan.environment else { throw refuse(RevertError.notConfirmed(needed: plan.environment)) }
            }
            let outcome: RevertOutcome
            do throws(RevertError) {
                try executor.recheck(plan)
                outcome = try executor.execute(plan)
            } catch {
                throw refuse(error)
            }
            let markdown = RevertReport.markdown(outcome)
            if output.json { Terminal.json(RevertJSON(plan: plan, outcome: outcome)) } else { Terminal.out("\n" + markdown) }
            if let report {
                do {
                    try markdown.write(toFile: report, atomically: true, encoding: .utf8)
                } catch {
                    throw Terminal.fail("the rollback is done, but the report could not be written to \(report): \(error.localizedDescription)")
                }
            }
        }

        /// Prints the error and picks the exit code: 1 for a refusal, 2 for a failure.
        private func refuse(_ error: RevertError) -> ExitCode {
            Terminal.error("release-guardian: \(error.isRefusal ? "refused" : "error"): \(error)")
            return ExitCode(error.isRefusal ? 1 : 2)
        }
    }
}
