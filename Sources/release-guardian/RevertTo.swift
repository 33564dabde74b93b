import ArgumentParser
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
                lease. The working tree and HEAD are never touched. A tag covered by release.baseline is history: the \
                tag rules do not judge it again (see `release-guardian audit`). Exit 1: refused, nothing changed. Exit 2: could not \
                run; the message says what changed.
                """)

        @Argument(help: "The release tag to go back to (v4.0.0), or `previous`.", completion: .releaseTag)
        var tag: String

        @Option(name: .long, help: "The environment (its targets come from .release-guardian).", completion: .environment)
        var env = "prod"

        @Flag(name: .long, help: "Allow a tag that is not an ancestor of what runs now.")
        var allowDivergent = false

        @Flag(name: .long, help: "Go ahead without the rehearsal the environment's rehearseIn asks for (recorded).")
        var skipRehearsal = false

        @OptionGroup var safeguards: PushSafeguards

        func run() throws {
            var request = RevertRequest(tag: tag)
            request.environment = env
            request.allowDivergent = allowDivergent
            request.skipRehearsal = skipRehearsal
            try safeguards.run(request)
        }
    }
}
