import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct HistoryCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "The deployment ledger, newest first: what went where, when, by whom and why.",
            discussion: """
                One line per deployment (a rollback's intent and outcome are one deployment), read from this clone's \
                ledger (refs/release-guardian/ledger) and the source remote's copy fetched by the last rollback. --json \
                prints an array of the records.
                """)

        @Option(name: .long, help: "Only this environment's deployments.", completion: .environment)
        var env: String?

        @Option(name: .long, help: "At most this many records (newest first).")
        var limit = 20

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit takes a number of records of 1 or more") }
        }

        func run() throws {
            let records: [LedgerRecord]
            do {
                records = try History.deployments(from: FileManager.default.currentDirectoryPath, environment: env, limit: limit)
            } catch {
                throw Terminal.fail("\(error)")
            }
            if output.json { Terminal.out(History.json(records)) } else { Terminal.out(Terminal.inert(History.table(records))) }
        }
    }
}
