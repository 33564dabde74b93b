import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct AuditCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Judge every existing tag as when it was made, and accept the history as it is.",
            discussion: """
                Each version tag, in the order the tags were made (tagger date, or commit date for a lightweight tag), \
                is judged with the rules as `ci` judges it on a re-run: against the tags that existed then. The \
                table shows each tag's commit, when it was made and its verdict: ok, history, or the rules it \
                breaks. Tags that are not version tags are only counted (--json lists them).

                Old imperfections (a skipped version, a tag on an old branch) make `ci` on a re-run and \
                `revert-to` to that tag refuse, and no fix is possible: a release tag never moves. \
                `release.baseline = vX.Y.Z` in .release-guardian accepts them: a tag at or below the baseline, \
                made no later than the baseline tag, is history, and `ci`, `deploy` and `revert-to` do not judge \
                it again. It stays immutable and undeletable, and every tag a push creates is judged in full. \
                A monorepo component's tags have their own, `[component "NAME"] baseline = NAME-vX.Y.Z`: \
                release.baseline covers the plain v tags only. --write-baseline writes each namespace's highest \
                release tag there (commit the file); on a server (a bare repository) the baselines are the \
                server's policy and are set there instead.

                Exit 0 when no tag breaks a rule (history aside), 1 when one does, 2 when the tags cannot be \
                judged (not a repository, a shallow clone: `git fetch --unshallow --tags`).
                """)

        @Option(name: .long, help: "The remote whose branches are main and the maintenance branches.")
        var remote = "origin"

        @Flag(name: .long, help: "Write release.baseline (and each component's baseline) = the highest release tag into .release-guardian.")
        var writeBaseline = false

        @OptionGroup var output: OutputOptions

        func run() throws {
            var options = TagAudit.Options(directory: FileManager.default.currentDirectoryPath)
            options.remote = remote
            let audit = TagAudit(options: options)
            var report: TagAudit.Report
            do {
                report = try audit.run()
                if writeBaseline {
                    let written = try audit.writeBaseline(report)
                    for entry in written where entry.written {
                        Terminal.error("release-guardian: wrote \(entry.key) = \(entry.baseline) to \(entry.path).")
                    }
                    for note in written.compactMap(\.note) { Terminal.error("release-guardian: warning: \(note).") }
                    if written.contains(where: \.written) {
                        Terminal.error(
                            "release-guardian: Commit it, so that ci and revert-to in every clone read it: `git add .release-guardian && git commit -m \"Accept the tag history up to \(written.map(\.baseline).joined(separator: ", "))\"`."
                        )
                    }
                    report = try audit.run()
                }
            } catch {
                throw Terminal.fail("\(error)")
            }
            if output.json { Terminal.json(report) } else { Terminal.out(Terminal.inert(TagAudit.text(report))) }
            if !report.allowed { throw ExitCode(1) }
        }
    }
}
