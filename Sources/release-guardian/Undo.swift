import ArgumentParser
import ReleaseGuardian

extension ReleaseGuardian {
    struct Undo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put back what ran before the environment's last record, safely, and record it.",
            discussion: """
                Reads the ledger: the environment's last record (a deploy, a rollback or an undo) and what its targets \
                ran before. Refuses when that record did not finish, or when a target no longer runs what it left there \
                (someone changed it since). The commit comes from the record's backup when this clone lacks it. Same \
                safeguards as deploy and revert-to. Exit 1: refused, nothing changed. Exit 2: could not run.
                """)

        @Option(
            name: .long, help: "The environment (default on a terminal: the one of the ledger's last record).", completion: .environment)
        var env: String?

        @Flag(name: .long, help: "Go back without the rehearsal the environment's rehearseIn asks for (recorded).")
        var skipRehearsal = false

        @OptionGroup var safeguards: PushSafeguards

        func validate() throws {
            // With --yes nobody reads the plan: the newest record may be a colleague's, elsewhere.
            if env == nil, safeguards.yes { throw ValidationError("with --yes, name the environment: --env ENV") }
        }

        func run() throws {
            var request = RevertRequest(action: .undo, ref: nil)
            request.environment = env
            request.skipRehearsal = skipRehearsal
            try safeguards.run(request)
        }
    }
}
