import Foundation

/// The two settings that decide whether a push touches a guarded ref at all (`release.main`,
/// `release.onlyVersionTags`), read without libgit2.
///
/// A push of feature branches must cost nothing: libgit2's global initialisation alone parses
/// the system's CA bundle (~6 ms). This reader understands the plain subset of git-config syntax;
/// on anything else (includes, quotes, escapes, an unreadable file, an odd repository layout) it
/// answers nil and the caller takes the full path through libgit2, so it is never wrong, only
/// sometimes not fast.
struct QuickSettings: Equatable {
    var mainBranch = "refs/heads/main"
    var onlyVersionTags = false

    /// The settings for the repository containing `directory`, or nil when unsure.
    static func read(from directory: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> QuickSettings? {
        guard let layout = RepositoryLayout.find(from: directory, environment: environment) else { return nil }
        var settings = QuickSettings()
        // Lowest precedence first, as libgit2 layers them.
        var files: [(path: String, section: String, subsection: String?)] = [
            (layout.workTree + "/" + Settings.fileName, "release", nil),
        ]
        let home = environment["HOME"] ?? ""
        let xdg = environment["XDG_CONFIG_HOME"].map { $0 + "/git/config" } ?? home + "/.config/git/config"
        for path in ["/etc/gitconfig", xdg, home + "/.gitconfig", layout.commonDirectory + "/config"] {
            files.append((path, "release-guardian", "release"))
        }
        if FileManager.default.fileExists(atPath: layout.gitDirectory + "/config.worktree") { return nil }
        for file in files {
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            guard let data = FileManager.default.contents(atPath: file.path),
                  let entries = PlainConfig.parse(String(decoding: data, as: UTF8.self))
            else { return nil }
            for entry in entries where entry.section == file.section && entry.subsection == file.subsection {
                switch entry.key {
                case "main":
                    let value = entry.value.trimmingCharacters(in: .whitespaces)
                    guard !value.isEmpty else { return nil }
                    settings.mainBranch = value.hasPrefix("refs/") ? value : "refs/heads/" + value
                case "onlyversiontags":
                    guard let flag = PlainConfig.bool(entry.value) else { return nil }
                    settings.onlyVersionTags = flag
                default:
                    break
                }
            }
        }
        return settings
    }

    /// Whether an update touches a ref some rule guards.
    func guards(_ ref: String) -> Bool {
        if ref == mainBranch { return true }
        if ref.hasPrefix("refs/tags/") {
            return onlyVersionTags || TagName.looksLikeVersion(String(ref.dropFirst("refs/tags/".count)))
        }
        if ref.hasPrefix("refs/heads/release/"), case .release = TagName(String(ref.dropFirst("refs/heads/release/".count))) {
            return true
        }
        return false
    }
}

/// Where a repository's files are, found as git finds them (without libgit2).
struct RepositoryLayout {
    let workTree: String
    let gitDirectory: String
    let commonDirectory: String

    static func find(from directory: String, environment: [String: String]) -> RepositoryLayout? {
        let files = FileManager.default
        var gitDirectory: String
        var workTree: String
        if let dir = environment["GIT_DIR"], !dir.isEmpty {
            gitDirectory = dir.hasPrefix("/") ? dir : directory + "/" + dir
            workTree = environment["GIT_WORK_TREE"] ?? directory
        } else {
            var current = directory
            while true {
                var isDirectory: ObjCBool = false
                let dotGit = current + "/.git"
                if files.fileExists(atPath: dotGit, isDirectory: &isDirectory) {
                    if isDirectory.boolValue {
                        gitDirectory = dotGit
                    } else {
                        // A worktree or submodule: `gitdir: <path>`.
                        guard let text = try? String(contentsOfFile: dotGit, encoding: .utf8), text.hasPrefix("gitdir: ") else { return nil }
                        let path = text.dropFirst("gitdir: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
                        gitDirectory = path.hasPrefix("/") ? path : current + "/" + path
                    }
                    workTree = current
                    break
                }
                guard current != "/", !current.isEmpty else { return nil }
                current = (current as NSString).deletingLastPathComponent
            }
        }
        var commonDirectory = gitDirectory
        if let common = try? String(contentsOfFile: gitDirectory + "/commondir", encoding: .utf8) {
            let path = common.trimmingCharacters(in: .whitespacesAndNewlines)
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
    }

    static func parse(_ text: String) -> [Entry]? {
        var entries: [Entry] = []
        var section: String?
        var subsection: String?
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.contains("\\") { return nil }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]"), line[line.index(after: close)...].trimmingCharacters(in: .whitespaces).isEmpty
                    || line[line.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("#")
                else { return nil }
                let header = line[line.index(after: line.startIndex)..<close]
                let parts = header.split(separator: " ", maxSplits: 1)
                guard let name = parts.first?.lowercased(), !name.isEmpty, !name.contains(".") else { return nil }
                if name == "include" || name == "includeif" { return nil }
                section = name
                subsection = nil
                if parts.count == 2 {
                    let quoted = parts[1].trimmingCharacters(in: .whitespaces)
                    guard quoted.count >= 2, quoted.hasPrefix("\""), quoted.hasSuffix("\""), !quoted.dropFirst().dropLast().contains("\"")
                    else { return nil }
                    subsection = String(quoted.dropFirst().dropLast())
                }
                continue
            }
            guard let section, !line.contains("\"") else { return nil }
            var key = line
            var value = ""
            if let equals = line.firstIndex(of: "=") {
                key = line[..<equals].trimmingCharacters(in: .whitespaces)
                value = String(line[line.index(after: equals)...])
                if let comment = value.firstIndex(where: { $0 == "#" || $0 == ";" }) { value = String(value[..<comment]) }
                value = value.trimmingCharacters(in: .whitespaces)
            }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
            entries.append(Entry(section: section, subsection: subsection, key: key.lowercased(), value: value))
        }
        return entries
    }

    /// git's booleans; nil for anything else.
    static func bool(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "", "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }
}
