import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct ServerHookCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "server-hook",
            abstract: "The rules on a server: git's pre-receive or update hook (no --no-verify escape).",
            subcommands: [PreReceive.self, Update.self]
        )

        struct PreReceive: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "pre-receive", abstract: "Reads `<old> <new> <ref>` lines on stdin; exit 0 accepts the whole push, 1 refuses it.")

            @OptionGroup var output: OutputOptions

            func run() throws {
                let input = Terminal.readStandardInput()
                let updates: [RefUpdate]
                do { updates = try ServerHook.parsePreReceive(input) } catch { throw Terminal.fail("\(error)") }
                try judge(updates, json: output.json)
            }
        }

        struct Update: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "update", abstract: "git's update hook: one ref per call; exit 0 accepts it, 1 refuses it.")

            @Argument(help: "The ref being updated.") var ref: String
            @Argument(help: "Its old object name (all zeros when it is created).") var old: String
            @Argument(help: "Its new object name (all zeros when it is deleted).") var new: String
            @OptionGroup var output: OutputOptions

            func run() throws {
                let update: RefUpdate
                do { update = try ServerHook.parseUpdate(ref: ref, old: old, new: new) } catch { throw Terminal.fail("\(error)") }
                try judge([update], json: output.json)
            }
        }
    }
}

private func judge(_ updates: [RefUpdate], json: Bool) throws {
    let verdict: PushCheck.Verdict
    do {
        verdict = try ServerHook(directory: FileManager.default.currentDirectoryPath).run(updates)
    } catch {
        throw Terminal.fail("\(error)")
    }
    if json { Terminal.json(CheckReport(allowed: verdict.allowed, violations: verdict.violations)) }
    guard verdict.allowed else {
        Terminal.printRefusal(verdict.violations)
        throw ExitCode(1)
    }
}
