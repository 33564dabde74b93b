import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Install the pre-push hook in the current repository, or with --server the pre-receive hook in a server's repository.",
            discussion: "Honours core.hooksPath. A hook already there is kept: moved to <hook>.chained, it still runs first.")

        @Flag(name: .long, help: "Install the server-side pre-receive hook (for the repository that receives pushes).")
        var server = false

        @Option(name: .long, help: "The repository to install into (default: the current directory's).")
        var repo: String?

        @Option(
            name: .long,
            help:
                "With --server: the policy file (git-config syntax, as .release-guardian) the server applies. Default: keep the server's, else copy the .release-guardian committed on main."
        )
        var policy: String?

        func validate() throws {
            if repo != nil && !server { throw ValidationError("--repo goes with --server; for a clone, run install inside it") }
            if policy != nil && !server { throw ValidationError("--policy goes with --server; a clone reads its .release-guardian") }
        }

        func run() throws {
            let installation: Installation
            do {
                installation = try Installation(repository: repo, from: FileManager.default.currentDirectoryPath)
            } catch {
                throw Terminal.fail("\(error)")
            }
            do {
                if server {
                    // The policy first: a policy that cannot be used leaves the repository as it was.
                    switch try installation.installServerPolicy(from: policy) {
                    case .written(let path, let source): Terminal.out("Wrote the server's policy \(path) from \(source).")
                    case .kept(let path): Terminal.out("Kept the server's policy \(path) (replace it with --policy FILE).")
                    case .none(let path):
                        Terminal.out(
                            "No policy file given or committed: the defaults apply, with the repository's git config (release-guardian.…); --policy FILE writes \(path)."
                        )
                    }
                    if let applied = installation.serverRuleSummary { Terminal.out("The server applies: \(applied).") }
                }
                for hook in server ? Hook.server : [.prePush] {
                    report(try installation.install(hook, binaryPath: Self.executablePath()))
                }
            } catch {
                Terminal.error("release-guardian: \(error)")
                switch error {
                case .notARepository, .io, .invalidPolicy: throw ExitCode(2)
                default: throw ExitCode(1)
                }
            }
            if let path = Self.executablePath() { Terminal.out("It runs \(path).") }
            #if DEBUG
                Terminal.error(
                    "note: this is a debug build; a hook runs faster with the release binary (ci/build-release.sh prints its path).")
            #endif
        }

        private func report(_ result: HookInstaller.Result) {
            switch result.outcome {
            case .installed:
                Terminal.out("Installed the hook: \(result.hookPath)")
            case .updated:
                Terminal.out("Updated the hook: \(result.hookPath)")
            case .chained(let movedTo):
                Terminal.out("Installed the hook: \(result.hookPath)")
                Terminal.out("Kept the hook that was there: moved to \(movedTo); it still runs first, with the same input.")
            }
        }

        /// This binary's absolute path, so the hook runs it whatever PATH git has.
        static func executablePath() -> String? {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        }
    }
}
