import Foundation
import Git

/// Runs an environment's `before` and `after` commands with `/bin/sh -c` in the repository root.
/// What they need comes in `RELEASE_GUARDIAN_*` environment variables, never in the command
/// text: a reason such as `$(rm -rf ~)` reaches them as those bytes, and runs nothing.
struct StepCommands {
    /// The outcome of one command.
    struct Result: Sendable {
        let phase: String
        let command: String
        /// The exit status, or nil when it could not be started or was killed by a signal.
        let status: Int32?
        /// What it said last (stdout and stderr together).
        let lastLines: [String]
        let detail: String?

        var succeeded: Bool { status == 0 }

        /// `exit 0`, `exit 3`, `killed by signal 9`, `could not start: …`, for the report and the ledger.
        var summary: String {
            if let status { return "exit \(status)" }
            return detail ?? "failed"
        }

        var check: LedgerRecord.Check { LedgerRecord.Check(name: "\(phase): \(command)", result: summary) }
    }

    let directory: String
    /// The process environment the commands inherit, plus the variables of this deployment.
    let environment: [String: String]
    /// Values never shown, whatever a command prints (a `set -x`, a failing `pg_dump "$URL"`).
    let secrets: [String]
    let log: (String) -> Void

    /// The commands' environment: the process's without release-guardian's own secrets (the
    /// deploy key, its passphrase, the HTTPS token, the webhook URL: a command has no use for
    /// them, and what it prints is shown, reported and sent), plus the deployment's variables.
    /// Also returns those secrets' values, to hide them from what the commands print.
    static func environment(
        _ process: [String: String], for plan: RevertPlan
    ) -> (environment: [String: String], secrets: [String]) {
        let names = [
            TransportPolicy.keyVariable, TransportPolicy.passphraseVariable, TransportPolicy.tokenVariable, plan.notice.webhookEnv,
        ]
        var environment = process
        var secrets: [String] = []
        for name in names {
            if let value = environment.removeValue(forKey: name)?.trimmingCharacters(in: .whitespacesAndNewlines), value.count >= 4 {
                secrets.append(value)
                // A key's text is many lines: each line of it is hidden too.
                secrets += value.split(whereSeparator: \.isNewline).map(String.init).filter { $0.count >= 16 }
            }
        }
        return (environment.merging(variables(for: plan)) { $1 }, secrets)
    }

    /// The variables a deployment gives its commands (the migration gap's, when there is one).
    static func variables(for plan: RevertPlan) -> [String: String] {
        let from = plan.targets.first { !$0.isDone(for: plan.commit) } ?? plan.targets.first
        return [
            "RELEASE_GUARDIAN_ACTION": plan.action.rawValue,
            "RELEASE_GUARDIAN_ENVIRONMENT": plan.environment,
            "RELEASE_GUARDIAN_FROM_COMMIT": from?.current?.hex ?? "",
            "RELEASE_GUARDIAN_FROM_VERSION": from?.currentVersions.first.flatMap { TagName($0).version?.description } ?? "",
            "RELEASE_GUARDIAN_TO_COMMIT": plan.commit.hex,
            "RELEASE_GUARDIAN_TO_VERSION": plan.version?.description ?? "",
            "RELEASE_GUARDIAN_TAG": plan.tag ?? "",
            "RELEASE_GUARDIAN_REASON": plan.request.reason ?? "",
            "RELEASE_GUARDIAN_MIGRATION_TARGET": "",
            "RELEASE_GUARDIAN_MIGRATIONS": "",
        ].merging(plan.migrationGap?.environment ?? [:]) { $1 }
    }

    /// Runs `commands` in turn; `stopAtFailure` stops at the first that fails (`before`).
    func run(_ commands: [StepCommand], phase: String, stopAtFailure: Bool) -> [Result] {
        var results: [Result] = []
        for command in commands {
            log("   \(phase): $ \(command.command)")
            let result = run(command.command, phase: phase)
            log("   \(phase): \(result.summary)")
            results.append(result)
            if stopAtFailure, !result.succeeded { break }
        }
        return results
    }

    private func run(_ command: String, phase: String) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return Result(
                phase: phase, command: command, status: nil, lastLines: [], detail: "could not start: \(error.localizedDescription)")
        }
        // The lines as they come, prefixed (a dump or a migration can take minutes).
        var last: [String] = []
        var pending = Data()
        let reader = output.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                say(line, phase: phase, into: &last)
            }
        }
        if !pending.isEmpty { say(String(decoding: pending, as: UTF8.self), phase: phase, into: &last) }
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal {
            return Result(
                phase: phase, command: command, status: nil, lastLines: last, detail: "killed by signal \(process.terminationStatus)")
        }
        return Result(phase: phase, command: command, status: process.terminationStatus, lastLines: last, detail: nil)
    }

    private func say(_ line: String, phase: String, into last: inout [String]) {
        let line = redacted(line, alsoHiding: secrets)
        log("   \(phase): \(line)")
        last.append(line)
        if last.count > 8 { last.removeFirst() }
    }
}
