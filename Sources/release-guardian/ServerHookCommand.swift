import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct ServerHookCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "server-hook",
            abstract: "The rules on a server: git's pre-receive or update hook (no --no-verify escape).",
            subcommands: [PreReceive.self, Update.self, ReferenceTransaction.self, HoldTransactionLock.self]
        )

        struct PreReceive: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "pre-receive",
                abstract: "Reads `<old> <new> <ref>` lines on stdin; exit 0 accepts the whole push, 1 refuses it.")

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

        /// Started by `reference-transaction prepared`, never by hand.
        struct HoldTransactionLock: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "hold-transaction-lock", abstract: "Holds a transaction's lock for git process PID.", shouldDisplay: false)

            @Argument var owner: Int32

            func run() {
                ServerHook.holdTransactionLock(for: owner)
            }
        }

        struct ReferenceTransaction: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "reference-transaction",
                abstract:
                    "git's reference-transaction hook: in the prepared state, judges the locked refs again against the refs as they are now; exit 1 aborts the transaction."
            )

            @Argument(help: "The transaction's state: prepared, committed or aborted (only prepared is judged).")
            var state: String
            @OptionGroup var output: OutputOptions

            func run() throws {
                let status = Self.transaction(state: state, json: output.json)
                if status != 0 { throw ExitCode(status) }
            }

            /// The hook itself, shared with the start-up shortcut in main.swift (git runs it twice
            /// for every ref a push writes). Returns the exit status.
            static func transaction(state: String, json: Bool) -> Int32 {
                let input = Terminal.readStandardInput()
                guard state == "prepared" else {
                    ServerHook.finishTransaction(gitDirectory: ProcessInfo.processInfo.environment["GIT_DIR"] ?? ".")
                    return 0
                }
                do {
                    let lines: [RefUpdate]
                    do { lines = try ServerHook.parseTransaction(input) } catch { throw Terminal.fail("\(error)") }
                    // Refs this push wrote in earlier transactions stay: say so, not "nothing was pushed".
                    try judge(json: json, outcome: "these refs were not written; refs this push wrote before them stay") {
                        hook throws(CheckError) in try hook.runTransaction(lines)
                    }
                    return 0
                } catch let exit as ExitCode {
                    return exit.rawValue
                } catch {
                    return 2
                }
            }

            /// `server-hook reference-transaction STATE` exactly as the hook script calls it.
            static func plainInvocation(_ arguments: [String]) -> String? {
                arguments.count == 3 && arguments[0] == "server-hook" && arguments[1] == "reference-transaction" ? arguments[2] : nil
            }
        }
    }
}

private func judge(_ updates: [RefUpdate], json: Bool) throws {
    try judge(json: json) { hook throws(CheckError) in try hook.run(updates) }
}

private func judge(
    json: Bool, outcome: String = "nothing was pushed", _ body: (ServerHook) throws(CheckError) -> ServerHook.Judgement
) throws {
    let judgement: ServerHook.Judgement
    do {
        judgement = try body(ServerHook(directory: FileManager.default.currentDirectoryPath))
    } catch {
        throw Terminal.fail("\(error)")
    }
    for warning in judgement.warnings { Terminal.error("release-guardian: warning: \(warning)") }
    let verdict = judgement.verdict
    if json { Terminal.json(CheckReport(allowed: verdict.allowed, violations: verdict.violations)) }
    guard verdict.allowed else {
        Terminal.printRefusal(verdict.violations, outcome: outcome)
        throw ExitCode(1)
    }
}
