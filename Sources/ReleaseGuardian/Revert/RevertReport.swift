import Foundation
import Git

/// What a rollback shows: the plan before confirming, the report after.
public enum RevertReport {
    /// The plan, for the operator to read before confirming.
    public static func planText(_ plan: RevertPlan) -> String {
        var lines = ["Rollback plan: \(plan.environment) → \(plan.tag) (\(plan.commit.short))"]
        for target in plan.targets {
            let before = target.current.map { $0.short + versionSuffix(target.currentVersions) } ?? "nothing"
            let name = target.url == target.target.remote ? target.target.description : "\(target.target) (\(target.url))"
            if target.isDone(for: plan.commit) {
                lines.append("  \(name): already runs \(plan.tag), nothing to do")
                continue
            }
            lines.append("  \(name): \(before) → \(plan.commit.short) (\(plan.tag))")
            if !target.undeployed.isEmpty {
                lines.append(
                    "    un-deploys \(target.undeployed.count)\(target.undeployedTruncated ? "+" : "") commit\(target.undeployed.count == 1 ? "" : "s"):"
                )
                lines += target.undeployed.prefix(10).map { "      \($0.id.short) \($0.summary)" }
                if target.undeployed.count > 10 { lines.append("      …") }
            }
        }
        if !plan.isNoOp {
            lines.append(
                "  Before any push, what runs now is kept on \(plan.request.sourceRemote) as refs/release-guardian/backup/\(plan.environment)/<UTC time>."
            )
            lines.append(
                "  \(RefName.short(plan.releaseBranch)) \(plan.releaseBranchExists ? "exists" : "will be created") at \(plan.commit.short); the working tree is not touched."
            )
        }
        if let reason = plan.request.reason { lines.append("  Reason: \(reason)") }
        return lines.joined(separator: "\n")
    }

    /// The rollback report, in Markdown. What comes from people (names, reasons, commit
    /// subjects, remotes, environment names) goes through `Markdown.escaped`; the undo
    /// commands through `shellQuoted`, in a block no content can close.
    public static func markdown(_ outcome: RevertOutcome) -> String {
        let plan = outcome.plan
        let md = Markdown.escaped
        let environment = md(plan.environment)
        var lines = [
            "# Rollback report: \(environment) → \(md(plan.tag))", "",
            "| | |", "| --- | --- |",
            "| Environment | \(environment) |",
            "| Who | \(md(outcome.who)) |",
            "| When | \(ISO8601DateFormatter().string(from: outcome.when)) |",
            "| Reason | \(plan.request.reason.map(md) ?? "—") |",
            "| Deployed | \(md(plan.tag)) (`\(plan.commit.short)`) |", "",
            "## Targets", "",
            "| target | before | after | result |", "| --- | --- | --- | --- |",
        ]
        for target in plan.targets {
            let name = target.target.description
            let before = target.current.map { "`\($0.short)`" + md(versionSuffix(target.currentVersions)) } ?? "—"
            let result = outcome.pushed.contains(name) ? "pushed" : outcome.alreadyThere.contains(name) ? "already there" : "not changed"
            lines.append("| \(md(name)) | \(before) | `\(plan.commit.short)` (\(md(plan.tag))) | \(result) |")
        }
        let undeployed = plan.targets.flatMap(\.undeployed).reduce(into: [CommitSummary]()) { list, commit in
            if !list.contains(commit) { list.append(commit) }
        }
        lines += ["", "## Commits taken out of \(environment)", ""]
        lines += undeployed.isEmpty ? ["None."] : undeployed.map { "- `\($0.id.short)` \(md($0.summary))" }
        lines += ["", "## Backup", ""]
        let source = plan.request.sourceRemote
        if outcome.backups.isEmpty {
            lines.append("Nothing was overwritten.")
        } else {
            for backup in outcome.backups {
                lines.append(
                    "- \(Markdown.code(backup.ref)) on \(md(redacted(source))) and here: `\(backup.commit.short)`, what \(md(backup.targets.joined(separator: ", "))) ran"
                )
            }
            var undo: [String] = []
            for backup in outcome.backups {
                undo.append("git fetch \(shellQuoted(redacted(source))) \(shellQuoted(backup.ref))")
                for target in plan.targets where backup.targets.contains(target.target.description) {
                    let branch = RefName.branch(target.target.branch)
                    undo.append(
                        "git push \(shellQuoted("--force-with-lease=\(branch):\(plan.commit.hex)")) \(shellQuoted(redacted(target.target.remote))) \(shellQuoted("FETCH_HEAD:" + branch))"
                    )
                }
            }
            lines += ["", "## Undo", ""] + Markdown.codeBlock(undo, language: "sh")
        }
        lines += ["", "## Record", "", md(outcome.ledger)]
        lines.append(md(outcome.releaseBranchShared))
        return redacted(lines.joined(separator: "\n") + "\n")
    }

    static func versionSuffix(_ versions: [String]) -> String {
        versions.isEmpty ? "" : " (\(versions.joined(separator: ", ")))"
    }
}

/// `--json` output of `revert-to`.
public struct RevertJSON: Encodable {
    struct Target: Encodable {
        let target: String
        let url: String
        let before: String?
        let beforeVersions: [String]
        let after: String
        let undeployed: [String]
        let result: String
    }

    struct Backup: Encodable {
        let ref: String
        let commit: String
    }

    let environment: String
    let tag: String
    let commit: String
    let dryRun: Bool
    let targets: [Target]
    let backups: [Backup]
    let releaseBranch: String
    let ledger: String?
    let report: String?

    public init(plan: RevertPlan, outcome: RevertOutcome?) {
        environment = plan.environment
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
                after: plan.commit.hex, undeployed: target.undeployed.map { "\($0.id.hex) \($0.summary)" }, result: result)
        }
        backups = outcome?.backups.map { Backup(ref: $0.ref, commit: $0.commit.hex) } ?? []
        releaseBranch = RefName.short(plan.releaseBranch)
        ledger = outcome?.ledger
        report = outcome.map(RevertReport.markdown)
    }
}
