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
            // Too large for a policy: the full path refuses it, with the reason.
            guard let text = SmallFile.validText(file), text.utf8.count <= Settings.maximumFileSize,
                  let entries = PlainConfig.parse(text) else { return nil }
            values.merge(entries.map { Config.Entry(name: $0.name, value: $0.value ?? "", isBareKey: $0.value == nil) }, source: file)
        }
        // The repository's git config as libgit2 layers it, lowest precedence first.
        let home = environment("HOME") ?? ""
        let xdg = environment("XDG_CONFIG_HOME").map { $0 + "/git/config" } ?? home + "/.config/git/config"
        var overrides: [Config.Entry] = []
        // GIT_CONFIG_NOSYSTEM leaves /etc/gitconfig out, as in git and in LibGit2.initialize.
        let noSystem = environment("GIT_CONFIG_NOSYSTEM").map { ["1", "true", "yes", "on"].contains($0.lowercased()) } ?? false
        for path in [noSystem ? nil : "/etc/gitconfig", xdg, home + "/.gitconfig", layout.commonDirectory + "/config"].compactMap({ $0 })
        where SmallFile.kind(path) != nil {
            guard let text = SmallFile.validText(path), let entries = PlainConfig.parse(text) else { return nil }
            for entry in entries where entry.section == "release-guardian" {
                guard let subsection = entry.subsection else { continue }
                overrides.append(Config.Entry(name: subsection + "." + entry.key, value: entry.value ?? "", isBareKey: entry.value == nil))
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
            return guards(tag: TagName(String(ref.dropFirst("refs/tags/".count))))
        }
        if ref.hasPrefix("refs/heads/release/"), case .release = TagName(String(ref.dropFirst("refs/heads/release/".count))) {
            return true
        }
        return RecordRef(ref) != nil || MaintenanceBranch(ref: ref, settings: self) != nil
    }

    /// Whether some rule guards a tag of this name.
    func guards(tag name: TagName) -> Bool {
        name.isGuarded(onlyVersionTags: onlyVersionTags, allowNonASCII: allowNonASCIITags)
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

/// The plain subset of git-config syntax, read as git reads it (config.c): `[section]`,
/// `[section "subsection"]`, `key = value`, a bare `key` (true), comments, blank lines, CRLF
/// line ends. A value's unquoted spaces and tabs inside it become one space each, at its ends
/// they go. Anything else (quotes and escapes in values, a backslash in a subsection, a key on a
/// header's line, `[section.sub]`, a key before any section, a lone CR, NUL, includes) makes
/// `parse` answer nil, and so does anything git refuses (`[release ]`, `key # comment`,
/// non-ASCII in a name): the caller then asks libgit2. A differential test holds it to
/// `git config -f FILE --list` on generated texts.
enum PlainConfig {
    struct Entry: Equatable {
        let section: String
        let subsection: String?
        let key: String
        /// nil for a bare key (no `=`), which git reads as true; `key =` is the empty string,
        /// which git reads as false.
        let value: String?

        /// The name as libgit2 gives it: `section.subsection.key`, section and key lowercased.
        var name: String { [section, subsection, key].compactMap { $0 }.joined(separator: ".") }
    }

    static func parse(_ text: String) -> [Entry]? {
        var entries: [Entry] = []
        var section: String?
        var subsection: String?
        let bytes = Array(text.utf8)
        guard !bytes.contains(0) else { return nil }
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            // CR LF ends a line as LF does; a CR at the very end (no LF after it) does not.
            let line = rawLine.last == UInt8(ascii: "\r") && rawLine.endIndex < bytes.endIndex ? rawLine.dropLast() : rawLine
            if line.contains(UInt8(ascii: "\r")) { return nil }  // a lone CR: git reads it as a space
            // Other control characters (\v, \f, DEL...): git and libgit2 differ on what is a space.
            if line.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7f }) { return nil }
            var index = line.startIndex
            func skipBlanks() { while index < line.endIndex, line[index] == 0x20 || line[index] == 0x09 { index += 1 } }
            skipBlanks()
            guard index < line.endIndex, line[index] != UInt8(ascii: "#"), line[index] != UInt8(ascii: ";") else { continue }
            if line[index] == UInt8(ascii: "[") {
                index += 1
                let nameStart = index
                while index < line.endIndex, isKeyCharacter(line[index]) { index += 1 }
                guard index > nameStart, index < line.endIndex else { return nil }
                let name = String(decoding: line[nameStart..<index], as: UTF8.self).lowercased()
                var sub: String?
                if line[index] == 0x20 || line[index] == 0x09 {
                    skipBlanks()
                    guard index < line.endIndex, line[index] == UInt8(ascii: "\"") else { return nil }
                    index += 1
                    let subStart = index
                    while index < line.endIndex, line[index] != UInt8(ascii: "\""), line[index] != UInt8(ascii: "\\") { index += 1 }
                    guard index < line.endIndex, line[index] == UInt8(ascii: "\"") else { return nil }
                    sub = String(decoding: line[subStart..<index], as: UTF8.self)
                    index += 1
                }
                guard index < line.endIndex, line[index] == UInt8(ascii: "]") else { return nil }
                index += 1
                skipBlanks()
                // git reads on after `]`: a key there is valid but not plain.
                guard index == line.endIndex || line[index] == UInt8(ascii: "#") || line[index] == UInt8(ascii: ";") else { return nil }
                if name == "include" || name == "includeif" { return nil }
                (section, subsection) = (name, sub)
                continue
            }
            // `key`, `key = value`: a key starts with a letter, then letters, digits and '-'.
            guard let section, isLetter(line[index]) else { return nil }
            let keyStart = index
            while index < line.endIndex, isKeyCharacter(line[index]) { index += 1 }
            let key = String(decoding: line[keyStart..<index], as: UTF8.self).lowercased()
            skipBlanks()
            guard index < line.endIndex else {
                entries.append(Entry(section: section, subsection: subsection, key: key, value: nil))
                continue
            }
            guard line[index] == UInt8(ascii: "=") else { return nil }
            index += 1
            var value: [UInt8] = []
            var pending: [UInt8] = []
            while index < line.endIndex {
                let byte = line[index]
                index += 1
                if byte == 0x20 || byte == 0x09 {
                    if !value.isEmpty { pending.append(byte) }
                    continue
                }
                if byte == UInt8(ascii: "#") || byte == UInt8(ascii: ";") { break }
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return nil }
                // A tab inside a value: git reads a space, libgit2 the tab. Leave it to libgit2,
                // so that both of this tool's paths read the same.
                if pending.contains(0x09) { return nil }
                value += pending
                pending = []
                value.append(byte)
            }
            entries.append(Entry(section: section, subsection: subsection, key: key, value: String(decoding: value, as: UTF8.self)))
        }
        return entries
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    private static func isKeyCharacter(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "-")
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
