import ArgumentParser
import ReleaseGuardian

extension ReleaseGuardian {
    struct Deploy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deploy a ref's commit forward to its environment, safely: plan, confirm, lease, backup, record, report.",
            discussion: """
                The environment comes from the map (`env` shows it); --env picks among the environments the map names \
                for the ref. A branch deploys what the source remote has (in a pipeline, the commit it built). The rules \
                judge the ref as `ci` does. Forward only: a commit behind what a target runs is a rollback, refused \
                (use revert-to). A head the push would lose is kept under refs/release-guardian/backup/ first. Exit 1: \
                refused, nothing changed. Exit 2: could not run (a ref that deploys nowhere, say).
                """)

        @Argument(
            help: "The ref to deploy (main, v1.2.0, refs/heads/main). Default: the CI's ref, else the current branch.", completion: .ref)
        var ref: String?

        @Option(name: .long, help: "The environment, among those the map names for the ref.", completion: .environment)
        var env: String?

        @OptionGroup var safeguards: PushSafeguards

        func run() throws {
            var request = RevertRequest(action: .deploy, ref: ref)
            request.environment = env
            try safeguards.run(request)
        }
    }
}
