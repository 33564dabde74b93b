import Foundation
import Git

/// What a deployment, a rollback or an undo shows: the plan before confirming, the report after.
public enum RevertReport {
    /// `Rollback`, `Deployment`, `Undo`: the first word of the plan and the report.
    static func noun(_ action: DeploymentAction) -> String {
        switch action {
        case .revertTo: "Rollback"
        case .deploy: "Deployment"
        case .undo: "Undo"
        }
    }

    /// The plan, for the operator to read before confirming.
    public static func planText(_ plan: RevertPlan) -> String {
        var lines = ["\(noun(plan.action)) plan: \(plan.environment) → \(plan.tag.map { "\($0) (\(plan.commit.short))" } ?? plan.label)"]
        for target in plan.targets {
            let before = target.current.map { $0.short + versionSuffix(target.currentVersions) } ?? "nothing"
            let name = target.url == target.target.remote ? target.target.description : "\(target.target) (\(target.url))"
            if target.isDone(for: plan.commit) {
                lines.append("  \(name): already runs \(plan.label), nothing to do")
                continue
            }
            lines.append("  \(name): \(before) → \(plan.commit.short)\(plan.tag.map { " (\($0))" } ?? "")")
            lines += commitLines("deploys", target.going, truncated: target.goingTruncated)
            lines += commitLines("un-deploys", target.undeployed, truncated: target.undeployedTruncated)
        }
        if plan.targets.contains(where: \.needsBackup) {
            lines.append(
                "  Before any push, what runs now is kept on \(plan.request.sourceRemote) as refs/release-guardian/backup/\(plan.environment)/<UTC time>."
            )
        }
        if let releaseBranch = plan.releaseBranch, !plan.isNoOp {
            lines.append(
                "  \(RefName.short(releaseBranch)) \(plan.releaseBranchExists ? "exists" : "will be created") at \(plan.commit.short); the working tree is not touched."
            )
        }
        if let gap = plan.migrationGap { lines += gap.lines.map { "  " + $0 } }
        for (phase, commands) in [("Before", plan.before), ("After", plan.after)] where !commands.isEmpty && !plan.isNoOp {
            lines.append("  \(phase) the push, runs (from \(Set(commands.map(\.source)).sorted().joined(separator: ", "))):")
            lines += commands.map { "    $ \($0.command)" }
        }
        if let reason = plan.request.reason { lines.append("  Reason: \(reason)") }
        return lines.joined(separator: "\n")
    }

    /// The notice sent before the push: what is about to happen, who, why.
    static func noticeBefore(_ plan: RevertPlan, who: String) -> String {
        let md = Markdown.escaped
        var lines = [
            "**\(md(who))** is about to \(plan.action == .deploy ? "deploy" : plan.action == .undo ? "undo the last deployment of" : "roll back") **\(md(plan.environment))** → \(md(plan.label)) (`\(plan.commit.short)`)"
        ]
        for target in plan.targets where !target.isDone(for: plan.commit) {
            lines.append(
                "- \(md(target.target.description)): `\(target.current?.short ?? "nothing")`\(md(versionSuffix(target.currentVersions))) → `\(plan.commit.short)`"
            )
        }
        lines.append("Reason: \(plan.request.reason.map(md) ?? "none given")")
        return redacted(lines.joined(separator: "\n"))
    }

    private static func commitLines(_ verb: String, _ commits: [CommitSummary], truncated: Bool) -> [String] {
        guard !commits.isEmpty else { return [] }
        var lines = ["    \(verb) \(commits.count)\(truncated ? "+" : "") commit\(commits.count == 1 ? "" : "s"):"]
        lines += commits.prefix(10).map { "      \($0.id.short) \($0.summary)" }
        if commits.count > 10 { lines.append("      …") }
        return lines
    }

    /// The report, in Markdown. What comes from people (names, reasons, commit subjects,
    /// remotes, environment names) goes through `Markdown.escaped`; the undo commands through
    /// `shellQuoted`, in a block no content can close.
    public static func markdown(_ outcome: RevertOutcome) -> String {
        let plan = outcome.plan
        let md = Markdown.escaped
        let environment = md(plan.environment)
        var lines = [
            "# \(noun(plan.action)) report: \(environment) → \(md(plan.label))\(outcome.failure != nil ? ": FAILED" : outcome.verificationFailed ? ": verification failed" : "")",
            "",
            "| | |", "| --- | --- |",
            "| Environment | \(environment) |",
            "| Who | \(md(outcome.who)) |",
            "| When | \(ISO8601DateFormatter().string(from: outcome.when)) |",
            "| Reason | \(plan.request.reason.map(md) ?? "—") |",
            "| Deployed | \(md(plan.label)) (`\(plan.commit.short)`) |", "",
            "## Targets", "",
            "| target | before | after | result |", "| --- | --- | --- | --- |",
        ]
        for target in plan.targets {
            let name = target.target.description
            let before = target.current.map { "`\($0.short)`" + md(versionSuffix(target.currentVersions)) } ?? "—"
            let result =
                outcome.pushed.contains(name)
                ? "pushed"
                : outcome.alreadyThere.contains(name) ? "already there" : outcome.failure?.target == name ? "failed" : "not changed"
            lines.append("| \(md(name)) | \(before) | `\(plan.commit.short)` (\(md(plan.label))) | \(result) |")
        }
        if let failure = outcome.failure {
            lines += ["", "## Failure", "", md(failure.reason)]
        }
        if let gap = plan.migrationGap {
            lines += ["", "## Migration gap", ""] + gap.orphanedFiles.map { "- \(Markdown.code($0))" }
            if !gap.commands.isEmpty { lines += ["", "Brings the schema back:", ""] + Markdown.codeBlock(gap.commands, language: "sh") }
            lines += gap.cannotTell.map { "- \(md($0))" }
        }
        if !outcome.notices.isEmpty {
            lines += ["", "## Notices", ""] + outcome.notices.map { "- \($0.phase): \(md($0.outcome.description))" }
        }
        if !outcome.commands.isEmpty {
            lines += ["", "## Commands", "", "| step | command | result |", "| --- | --- | --- |"]
            for result in outcome.commands {
                lines.append("| \(result.phase) | \(Markdown.code(result.command)) | \(md(result.summary)) |")
            }
        }
        let going = distinct(plan.targets.flatMap(\.going))
        if !going.isEmpty || plan.action == .deploy {
            lines += ["", "## Commits put live in \(environment)", ""]
            lines += going.isEmpty ? ["None."] : going.map { "- `\($0.id.short)` \(md($0.summary))" }
        }
        let undeployed = distinct(plan.targets.flatMap(\.undeployed))
        if !undeployed.isEmpty || plan.action != .deploy {
            lines += ["", "## Commits taken out of \(environment)", ""]
            lines += undeployed.isEmpty ? ["None."] : undeployed.map { "- `\($0.id.short)` \(md($0.summary))" }
        }
        lines += ["", "## Backup", ""]
        let source = plan.request.sourceRemote
        if outcome.backups.isEmpty {
            lines.append("Nothing was overwritten that the new commit's history does not hold.")
        } else {
            for backup in outcome.backups {
                lines.append(
                    "- \(Markdown.code(backup.ref)) on \(md(redacted(source))) and here: `\(backup.commit.short)`, what \(md(backup.targets.joined(separator: ", "))) ran"
                )
            }
        }
        let undo = undoCommands(outcome)
        if !undo.isEmpty {
            lines += [
                "", "## Undo", "",
                "\(Markdown.code("release-guardian undo --env \(shellQuoted(plan.environment))")) puts back what ran before, with the same safeguards, and records it. By hand (the ledger will not know):",
                "",
            ]
            lines += Markdown.codeBlock(undo, language: "sh")
        }
        lines += ["", "## Record", "", md(outcome.ledger)]
        if let shared = outcome.releaseBranchShared { lines.append(md(shared)) }
        return redacted(lines.joined(separator: "\n") + "\n")
    }

    /// The git commands that put each changed target back: from its backup when one was kept,
    /// else from the commit it ran (in the new commit's history).
    private static func undoCommands(_ outcome: RevertOutcome) -> [String] {
        let plan = outcome.plan
        let source = plan.request.sourceRemote
        var commands: [String] = []
        var fetched: String?
        for target in plan.targets where outcome.pushed.contains(target.target.description) {
            guard let current = target.current else { continue }
            let branch = RefName.branch(target.target.branch)
            let lease = shellQuoted("--force-with-lease=\(branch):\(plan.commit.hex)")
            let remote = shellQuoted(redacted(target.target.remote))
            if let backup = outcome.backups.first(where: { $0.targets.contains(target.target.description) }) {
                if fetched != backup.ref {
                    commands.append("git fetch \(shellQuoted(redacted(source))) \(shellQuoted(backup.ref))")
                    fetched = backup.ref
                }
                commands.append("git push \(lease) \(remote) \(shellQuoted("FETCH_HEAD:" + branch))")
            } else {
                commands.append("git push \(lease) \(remote) \(shellQuoted(current.hex + ":" + branch))")
            }
        }
        return commands
    }

    private static func distinct(_ commits: [CommitSummary]) -> [CommitSummary] {
        commits.reduce(into: [CommitSummary]()) { list, commit in
            if !list.contains(commit) { list.append(commit) }
        }
    }

    static func versionSuffix(_ versions: [String]) -> String {
        versions.isEmpty ? "" : " (\(versions.joined(separator: ", ")))"
    }
}

/// `--json` output of `deploy`, `revert-to` and `undo`.
public struct RevertJSON: Encodable {
    struct Target: Encodable {
        let target: String
        let url: String
        let before: String?
        let beforeVersions: [String]
        let after: String
        let undeployed: [String]
        let deployed: [String]
        let result: String
    }

    struct Backup: Encodable {
        let ref: String
        let commit: String
    }

    let action: String
    let environment: String
    let ref: String
    let tag: String?
    let commit: String
    let dryRun: Bool
    let targets: [Target]
    let backups: [Backup]
    let releaseBranch: String?
    /// The `before` and `after` commands that ran: `{phase, command, result}`.
    let commands: [[String: String]]
    let verificationFailed: Bool
    let migrationGap: MigrationGap?
    let ledger: String?
    let report: String?

    public init(plan: RevertPlan, outcome: RevertOutcome?) {
        action = plan.action.rawValue
        environment = plan.environment
        ref = plan.ref
        tag = plan.tag
        commit = plan.commit.hex
        dryRun = outcome == nil
        targets = plan.targets.map { target in
            let name = target.target.description
            let result =
                outcome.map { $0.pushed.contains(name) ? "pushed" : $0.alreadyThere.contains(name) ? "already there" : "not changed" }
                ?? (target.isDone(for: plan.commit) ? "already there" : "planned")
            return Target(
                target: name, url: target.url, before: target.current?.hex, beforeVersions: target.currentVersions,
                after: plan.commit.hex, undeployed: target.undeployed.map { "\($0.id.hex) \($0.summary)" },
                deployed: target.going.map { "\($0.id.hex) \($0.summary)" }, result: result)
        }
        backups = outcome?.backups.map { Backup(ref: $0.ref, commit: $0.commit.hex) } ?? []
        releaseBranch = plan.releaseBranch.map(RefName.short)
        commands = outcome?.commands.map { ["phase": $0.phase, "command": $0.command, "result": $0.summary] } ?? []
        verificationFailed = outcome?.verificationFailed ?? false
        migrationGap = plan.migrationGap
        ledger = outcome?.ledger
        report = outcome.map(RevertReport.markdown)
    }
}
