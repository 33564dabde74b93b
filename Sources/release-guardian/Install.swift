import ArgumentParser
import Foundation
import Git
import ReleaseGuardian

extension ReleaseGuardian {
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install the pre-push hook in the current repository (honours core.hooksPath; keeps and chains an existing hook).")

        func run() throws {
            let repository: Repository
            do {
                repository = try Repository.discover(from: FileManager.default.currentDirectoryPath)
            } catch {
                throw Terminal.fail("not in a git repository: \(error.message)")
            }
            let result: HookInstaller.Result
            do {
                result = try HookInstaller().installPrePush(in: repository, binaryPath: Self.executablePath())
            } catch {
                Terminal.error("release-guardian: \(error)")
                if case .io = error { throw ExitCode(2) }
                throw ExitCode(1)
            }
            switch result.outcome {
            case .installed:
                Terminal.out("Installed the pre-push hook: \(result.hookPath)")
            case .updated:
                Terminal.out("Updated the pre-push hook: \(result.hookPath)")
            case .chained(let movedTo):
                Terminal.out("Installed the pre-push hook: \(result.hookPath)")
                Terminal.out("Kept the hook that was there: moved to \(movedTo); it still runs first, with the same input.")
            }
            if let path = Self.executablePath() { Terminal.out("It runs \(path) check.") }
        }

        /// This binary's absolute path, so the hook runs it whatever PATH git has.
        static func executablePath() -> String? {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        }
    }
}
