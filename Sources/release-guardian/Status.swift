import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct StatusCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "What runs on every target now, read from the targets, beside the ledger's last record.",
            discussion: """
                Warnings: drift (the targets of one environment run different commits), outside change (a target runs \
                a commit no ledger record put there), pending (the environment's ref is ahead of what runs). --check \
                exits 1 while a warning stands, 2 when a target cannot be reached.
                """)

        @Option(name: .long, help: "Only this environment.", completion: .environment)
        var env: String?

        @Flag(name: .long, help: "Exit 1 when any warning stands (2 when a target cannot be reached): for a cron job.")
        var check = false

        @OptionGroup var output: OutputOptions

        func run() throws {
            let report: StatusReport
            do {
                report = try StatusReport.read(
                    from: FileManager.default.currentDirectoryPath, only: env, environment: ProcessInfo.processInfo.environment)
            } catch {
                throw Terminal.fail("\(error)")
            }
            if output.json { Terminal.json(report) } else { Terminal.out(Terminal.inert(report.text)) }
            guard check else { return }
            if report.hasUnreachableTarget { throw ExitCode(2) }
            if !report.warnings.isEmpty { throw ExitCode(1) }
        }
    }
}
