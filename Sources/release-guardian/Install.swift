import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Install the pre-push hook in the current repository, or with --server the pre-receive hook in a server's repository.",
            discussion:
                "Honours core.hooksPath. A hook already there is kept: moved to <hook>.chained, it still runs first. Under husky, lines go into .husky/pre-push; under pre-commit, the hook is its pre-push.legacy; under lefthook, it says what to add to lefthook's configuration. A hook in a tracked directory runs release-guardian from PATH."
        )

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
                    for missing in installation.baselinesNamingNoTag {
                        Terminal.error(
                            "warning: \(missing) names no tag of this repository: push that tag, or set the baseline to an existing release tag (`release-guardian audit --write-baseline` in a clone names the highest)."
                        )
                    }
                }
                var results: [HookInstaller.Result] = []
                for hook in server ? Hook.server : [.prePush] {
                    let result = try installation.install(hook, binaryPath: Self.executablePath())
                    report(result)
                    results.append(result)
                }
                reportBinary(results)
            } catch {
                Terminal.error("release-guardian: \(error)")
                switch error {
                case .notARepository, .io, .invalidPolicy: throw ExitCode(2)
                default: throw ExitCode(1)
                }
            }
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
            case .underPreCommit(let preCommitHook, let movedTo):
                if let restored = result.restored {
                    Terminal.out("Put pre-commit's hook back at \(restored) (an earlier install had moved it to pre-push.chained).")
                }
                Terminal.out(
                    "pre-commit runs the pre-push hook (\(preCommitHook)): the hook is \(result.hookPath), which pre-commit's hook runs first on every push, with git's stdin."
                )
                if let movedTo {
                    Terminal.out("Kept the hook that was there: moved to \(movedTo); it still runs first, with the same input.")
                }
                Terminal.out(
                    "`pre-commit install` keeps it; `pre-commit install -f` and `pre-commit uninstall` do not: run `release-guardian install` again after them."
                )
            case .inHusky(let updated):
                if let restored = result.restored {
                    Terminal.out("Put husky's stub back at \(restored) (an earlier install had moved it to pre-push.chained).")
                }
                Terminal.out(
                    updated
                        ? "Updated release-guardian's lines in \(result.hookPath), which husky runs."
                        : "husky runs \(result.hookPath): added release-guardian's lines at its top. Commit it: every clone then runs them."
                )
            case .runByLefthook:
                Terminal.out(
                    "lefthook's configuration names release-guardian in pre-push (\(result.hookPath)), with git's stdin: nothing to install. This was read, not run: check that the script is not skipped and that no other pre-push job takes use_stdin (lefthook gives stdin to one), then push a bad tag once to see it refused."
                )
            }
        }

        /// Which binary the hooks run, and a warning when a hook that takes it from PATH finds none here.
        private func reportBinary(_ results: [HookInstaller.Result]) {
            if let path = results.lazy.compactMap(\.binaryPath).first {
                Terminal.out("It runs \(path).")
            }
            guard results.contains(where: { $0.binaryPath == nil }) else { return }
            let inTrackedDirectory = results.contains { result in
                switch result.outcome {
                case .installed, .updated, .chained: result.binaryPath == nil
                case .underPreCommit, .inHusky, .runByLefthook: false
                }
            }
            if inTrackedDirectory {
                Terminal.out(
                    "It runs release-guardian from PATH, or $RELEASE_GUARDIAN: the hooks directory is in the working tree and not ignored, so the hook goes to every clone, where this machine's path may not exist. Commit it (and a pre-push.chained beside it, the hook that was there: it still runs first)."
                )
            } else {
                Terminal.out("It runs release-guardian from PATH, or $RELEASE_GUARDIAN.")
            }
            let name = ProcessInfo.processInfo.environment["RELEASE_GUARDIAN"].flatMap { $0.isEmpty ? nil : $0 } ?? "release-guardian"
            if !Self.isRunnable(name) {
                Terminal.error(
                    "release-guardian: warning: '\(name)' is not on PATH here: every push will be refused until it is (or until RELEASE_GUARDIAN names the binary)."
                )
            }
        }

        /// Whether the shell would find `name` (a path, or a command on PATH).
        static func isRunnable(_ name: String) -> Bool {
            if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) }
            let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
            return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
        }

        /// This binary's absolute path, so the hook runs it whatever PATH git has.
        static func executablePath() -> String? {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        }
    }
}
