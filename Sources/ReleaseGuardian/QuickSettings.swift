import Foundation
import Git

/// The settings read without libgit2, for the hook's fast paths.
///
/// A push of feature branches must cost nothing, and a new tag little: libgit2's global
/// initialisation alone parses the system's CA bundle (~6 ms). This reader understands the plain
/// subset of git-config syntax, reads the same files in the same order as `Settings.load`, and
/// builds `Settings` through the same validation; on anything else (includes, quotes, escapes, an
/// unreadable file, an invalid value, an odd repository layout) it answers nil and the caller
/// takes the full path through libgit2, so it is never wrong, only sometimes not fast.
enum PlainSettings {
    static func read(from directory: String, environment: (String) -> String? = { getenv($0).map { String(cString: $0) } })
        -> (settings: Settings, layout: RepositoryLayout)? {
        guard let layout = RepositoryLayout.find(from: directory, environment: environment),
              SmallFile.kind(layout.gitDirectory + "/config.worktree") == nil
        else { return nil }
        var values = RawValues()
        let file = layout.workTree + "/" + Settings.fileName
        if SmallFile.kind(file) != nil {
            guard let text = SmallFile.text(file), let entries = PlainConfig.parse(text) else { return nil }
            values.merge(entries.map { Config.Entry(name: $0.name, value: $0.value) }, source: file)
        }
        // The repository's git config as libgit2 layers it, lowest precedence first.
        let home = environment("HOME") ?? ""
        let xdg = environment("XDG_CONFIG_HOME").map { $0 + "/git/config" } ?? home + "/.config/git/config"
        var overrides: [Config.Entry] = []
        for path in ["/etc/gitconfig", xdg, home + "/.gitconfig", layout.commonDirectory + "/config"] where SmallFile.kind(path) != nil {
            guard let text = SmallFile.text(path), let entries = PlainConfig.parse(text) else { return nil }
            for entry in entries where entry.section == "release-guardian" {
                guard let subsection = entry.subsection else { continue }
                overrides.append(Config.Entry(name: subsection + "." + entry.key, value: entry.value))
            }
        }
        values.merge(overrides, source: "git config (\(Settings.gitConfigPrefix)…)")
        guard let settings = try? Settings(values) else { return nil }
        return (settings, layout)
    }
}

extension Settings {
    /// Whether an update of `ref` is one some rule guards (a push of nothing else is allowed).
    func guards(_ ref: String) -> Bool {
        if ref == mainBranch { return true }
        if ref.hasPrefix("refs/tags/") {
            return onlyVersionTags || TagName.looksLikeVersion(String(ref.dropFirst("refs/tags/".count)))
        }
        if ref.hasPrefix("refs/heads/release/"), case .release = TagName(String(ref.dropFirst("refs/heads/release/".count))) {
            return true
        }
        return MaintenanceBranch(ref: ref, settings: self) != nil
    }
}

/// Where a repository's files are, found as git finds them (without libgit2).
struct RepositoryLayout {
    let workTree: String
    let gitDirectory: String
    let commonDirectory: String

    static func find(from directory: String, environment: (String) -> String?) -> RepositoryLayout? {
        var gitDirectory: String
        var workTree: String
        if let dir = environment("GIT_DIR"), !dir.isEmpty {
            gitDirectory = dir.hasPrefix("/") ? dir : directory + "/" + dir
            workTree = environment("GIT_WORK_TREE") ?? directory
        } else {
            var current = directory
            while true {
                let dotGit = current + "/.git"
                if let kind = SmallFile.kind(dotGit) {
                    if kind == SmallFile.Kind.directory {
                        gitDirectory = dotGit
                    } else {
                        // A worktree or submodule: `gitdir: <path>`.
                        guard let text = SmallFile.text(dotGit), text.hasPrefix("gitdir: ") else { return nil }
                        let path = text.dropFirst("gitdir: ".count).trimmedASCII
                        gitDirectory = path.hasPrefix("/") ? path : current + "/" + path
                    }
                    workTree = current
                    break
                }
                guard current != "/", !current.isEmpty, let slash = current.lastIndex(of: "/") else { return nil }
                current = slash == current.startIndex ? "/" : String(current[..<slash])
            }
        }
        var commonDirectory = gitDirectory
        if let common = SmallFile.text(gitDirectory + "/commondir") {
            let path = common.trimmedASCII
            commonDirectory = path.hasPrefix("/") ? path : gitDirectory + "/" + path
        }
        return RepositoryLayout(workTree: workTree, gitDirectory: gitDirectory, commonDirectory: commonDirectory)
    }
}

/// The plain subset of git-config syntax: `[section]`, `[section "subsection"]`, `key = value`,
/// `key`, comments and blank lines. Anything else (quotes, escapes, continuations, includes)
/// makes `parse` answer nil.
enum PlainConfig {
    struct Entry: Equatable {
        let section: String
        let subsection: String?
        let key: String
        let value: String

        /// The name as libgit2 gives it: `section.subsection.key`, section and key lowercased.
        var name: String { [section, subsection, key].compactMap { $0 }.joined(separator: ".") }
    }

    static func parse(_ text: String) -> [Entry]? {
        var entries: [Entry] = []
        var section: String?
        var subsection: String?
        // "\r\n" is one Character in Swift: split on it too, or a CRLF file is one long line.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            // A control character other than a tab (a lone CR, NUL, ...): git and libgit2 differ, leave it to libgit2.
            if rawLine.utf8.contains(where: { isControlByte($0) && $0 != UInt8(ascii: "\t") }) { return nil }
            let line = rawLine.trimmedASCII
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.contains("\\") { return nil }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]"), line[line.index(after: close)...].trimmedASCII.isEmpty
                    || line[line.index(after: close)...].trimmedASCII.hasPrefix("#")
                else { return nil }
                let header = line[line.index(after: line.startIndex)..<close]
                let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                // libgit2 and git: the name is ASCII letters, digits and '-' right after '['.
                guard header.utf8.first.map(isKeyByte) == true, let name = parts.first?.lowercased(),
                      name.utf8.allSatisfy(isKeyByte) else { return nil }
                if name == "include" || name == "includeif" { return nil }
                section = name
                subsection = nil
                if parts.count == 2 {
                    // Spaces before the quote only: libgit2 wants `"]` at the end.
                    let quoted = parts[1].drop(while: { $0 == " " })
                    guard quoted.count >= 2, quoted.hasPrefix("\""), quoted.hasSuffix("\""), !quoted.dropFirst().dropLast().contains("\""),
                          !quoted.utf8.contains(where: isControlByte)
                    else { return nil }
                    subsection = String(quoted.dropFirst().dropLast())
                }
                continue
            }
            guard let section, !line.contains("\"") else { return nil }
            var key = line
            var value = ""
            if let equals = line.firstIndex(of: "=") {
                key = line[..<equals].trimmedASCII
                value = String(line[line.index(after: equals)...])
                if let comment = value.firstIndex(where: { $0 == "#" || $0 == ";" }) { value = String(value[..<comment]) }
                value = value.trimmedASCII
            }
            // A key starts with an ASCII letter (git; libgit2 also takes a digit), then letters, digits, '-'.
            // A control character in a value (NUL, a tab git turns into a space) is left to libgit2.
            guard let first = key.utf8.first, isASCIILetter(first), key.utf8.allSatisfy(isKeyByte),
                  !value.utf8.contains(where: isControlByte) else { return nil }
            entries.append(Entry(section: section, subsection: subsection, key: key.lowercased(), value: value))
        }
        return entries
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        isASCIILetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
    }

    private static func isControlByte(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }

    /// git's booleans; nil for anything else.
    static func bool(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "", "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }
}

extension StringProtocol {
    /// Without spaces, tabs and line ends at either end (Foundation's `trimmingCharacters`
    /// goes through NSString and CharacterSet, too slow for the hook's start-up).
    var trimmedASCII: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
