import Git

/// Markdown for text that comes from users (a reason, a name, a commit subject, a remote URL):
/// the one escaping function of the reports, and code blocks no content can close.
enum Markdown {
    /// `text` as inert inline Markdown, on one line: line breaks become spaces, and every
    /// character that could start a construct (emphasis, link, code, HTML, heading, table cell,
    /// entity) is backslash-escaped, so the text renders as written in a table cell, a list
    /// item or a heading. Secrets are redacted first: once escaped (`private\_token=`), no
    /// redaction would recognise them.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in redacted(text) {
            if character.isNewline {
                result.append(" ")
            } else if let ascii = character.asciiValue, special.contains(ascii) {
                result.append("\\")
                result.append(character)
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// `[` `]` escaped, `(` `)` and `!` cannot make a link; text never starts a line, so `-`
    /// `+` `1.` cannot make a list: they stay readable.
    private static let special = Set("\\`*_{}[]<>#|~&".utf8)

    /// A fenced code block around `lines`: the fence is longer than any run of backticks in
    /// them, so no line can close it early.
    static func codeBlock(_ lines: [String], language: String) -> [String] {
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(in: lines.joined(separator: "\n")) + 1))
        return [fence + language] + lines + [fence]
    }

    /// `text` as an inline code span: delimiters longer than any run of backticks inside,
    /// line breaks as spaces.
    static func code(_ text: String) -> String {
        let flat = String(redacted(text).map { $0.isNewline ? " " : $0 })
        let fence = String(repeating: "`", count: longestBacktickRun(in: flat) + 1)
        let padding = flat.hasPrefix("`") || flat.hasSuffix("`") ? " " : ""
        return fence + padding + flat + padding + fence
    }

    private static func longestBacktickRun(in text: String) -> Int {
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}
