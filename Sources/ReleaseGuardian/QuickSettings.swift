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
    static func read(from directory: String, environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }) -> QuickSettings? {
        guard let layout = RepositoryLayout.find(from: directory, environment: environment) else { return nil }
        var settings = QuickSettings()
        // Lowest precedence first, as libgit2 layers them.
        var files: [(path: String, section: String, subsection: String?)] = [
            (layout.workTree + "/" + Settings.fileName, "release", nil),
        ]
        let home = environment("HOME") ?? ""
        let xdg = environment("XDG_CONFIG_HOME").map { $0 + "/git/config" } ?? home + "/.config/git/config"
        for path in ["/etc/gitconfig", xdg, home + "/.gitconfig", layout.commonDirectory + "/config"] {
            files.append((path, "release-guardian", "release"))
        }
        if fileKind(layout.gitDirectory + "/config.worktree") != nil { return nil }
        for file in files {
            guard fileKind(file.path) != nil else { continue }
            guard let text = readText(file.path), let entries = PlainConfig.parse(text) else { return nil }
            for entry in entries where entry.section == file.section && entry.subsection == file.subsection {
                switch entry.key {
                case "main":
                    let value = entry.value.trimmedASCII
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
                if let kind = fileKind(dotGit) {
                    if kind == .directory {
                        gitDirectory = dotGit
                    } else {
                        // A worktree or submodule: `gitdir: <path>`.
                        guard let text = readText(dotGit), text.hasPrefix("gitdir: ") else { return nil }
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
        if let common = readText(gitDirectory + "/commondir") {
            let path = common.trimmedASCII
            commonDirectory = path.hasPrefix("/") ? path : gitDirectory + "/" + path
        }
        return RepositoryLayout(workTree: workTree, gitDirectory: gitDirectory, commonDirectory: commonDirectory)
    }
}

enum FileKind { case directory, file }

/// What is at `path`, or nil when nothing (Glibc's stat, cheaper than FileManager at start-up).
func fileKind(_ path: String) -> FileKind? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .file
}

/// A small file's text, or nil when it cannot be read.
func readText(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count > 0 { bytes += buffer[0..<count] }
        if count < buffer.count { break }
    }
    return ferror(file) == 0 ? String(decoding: bytes, as: UTF8.self) : nil
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
            let line = rawLine.trimmedASCII
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.contains("\\") { return nil }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]"), line[line.index(after: close)...].trimmedASCII.isEmpty
                    || line[line.index(after: close)...].trimmedASCII.hasPrefix("#")
                else { return nil }
                let header = line[line.index(after: line.startIndex)..<close]
                let parts = header.split(separator: " ", maxSplits: 1)
                guard let name = parts.first?.lowercased(), !name.isEmpty, !name.contains(".") else { return nil }
                if name == "include" || name == "includeif" { return nil }
                section = name
                subsection = nil
                if parts.count == 2 {
                    let quoted = parts[1].trimmedASCII
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
                key = line[..<equals].trimmedASCII
                value = String(line[line.index(after: equals)...])
                if let comment = value.firstIndex(where: { $0 == "#" || $0 == ";" }) { value = String(value[..<comment]) }
                value = value.trimmedASCII
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

extension StringProtocol {
    /// Without spaces, tabs and line ends at either end (Foundation's `trimmingCharacters`
    /// goes through NSString and CharacterSet, too slow for the hook's start-up).
    var trimmedASCII: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
