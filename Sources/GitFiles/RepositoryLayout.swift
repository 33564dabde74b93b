/// Where a repository's files are, found as git finds them, and whether these readers know its
/// format. nil from `find` means "not a repository these readers know", never "an empty one":
/// the caller opens it with libgit2, which reads it or says why not.
public struct RepositoryLayout: Sendable, Equatable {
    /// The working tree's root, nil for a bare repository.
    public let workTree: String?
    /// With a trailing slash, as libgit2 gives it.
    public let gitDirectory: String
    /// The directory of refs and objects shared by all worktrees, with a trailing slash.
    public let commonDirectory: String
    /// Where loose objects are looked for, in order: the object directory, then the alternates
    /// git names in the environment (during `pre-receive`, the pushed objects sit in a
    /// quarantine directory that `GIT_OBJECT_DIRECTORY` names).
    public let objectDirectories: [String]

    /// The repository that contains `directory` (or the one `GIT_DIR` names), as git finds it.
    public static func find(from directory: String, environment: (String) -> String?) -> RepositoryLayout? {
        // Variables that move parts of the repository elsewhere: libgit2 knows them.
        if environment("GIT_COMMON_DIR") != nil { return nil }
        var gitDirectory: String
        var workTree: String?
        if let dir = environment("GIT_DIR"), !dir.isEmpty {
            gitDirectory = absolute(dir, in: directory)
            workTree = environment("GIT_WORK_TREE").map { absolute($0, in: directory) }
            if workTree == nil, !isBare(gitDirectory) { workTree = directory }
        } else {
            var current = directory
            while true {
                let dotGit = current + "/.git"
                if let kind = SmallFile.kind(dotGit) {
                    if kind == .directory {
                        gitDirectory = dotGit
                    } else {
                        // A worktree or submodule: `gitdir: <path>`.
                        guard let text = SmallFile.text(dotGit), text.hasPrefix("gitdir: ") else { return nil }
                        gitDirectory = absolute(String(text.dropFirst("gitdir: ".count)).trimmedASCII, in: current)
                    }
                    workTree = current
                    break
                }
                // A bare repository found from inside it: libgit2 knows how git decides that.
                if SmallFile.kind(current + "/HEAD") != nil, SmallFile.kind(current + "/objects") == .directory { return nil }
                guard current != "/", !current.isEmpty, let slash = current.lastIndex(of: "/") else { return nil }
                current = slash == current.startIndex ? "/" : String(current[..<slash])
            }
        }
        return at(gitDirectory: gitDirectory, workTree: workTree, environment: environment)
    }

    /// The layout of a repository already found (by libgit2, say), if these readers know it.
    public static func at(gitDirectory: String, workTree: String?, environment: (String) -> String?) -> RepositoryLayout? {
        let git = gitDirectory.hasSuffix("/") ? String(gitDirectory.dropLast()) : gitDirectory
        guard SmallFile.kind(git + "/HEAD") != nil else { return nil }
        var common = git
        if let text = SmallFile.text(git + "/commondir") {
            common = absolute(text.trimmedASCII, in: git)
        }
        guard knowsFormat(commonDirectory: common, gitDirectory: git) else { return nil }
        var objects = [environment("GIT_OBJECT_DIRECTORY").map { absolute($0, in: git) } ?? common + "/objects"]
        if let alternates = environment("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
            objects += alternates.split(separator: ":").map { absolute(String($0), in: git) }
        }
        return RepositoryLayout(
            workTree: workTree.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 },
            gitDirectory: git + "/", commonDirectory: common + "/",
            objectDirectories: objects.map { $0.hasSuffix("/") ? $0 : $0 + "/" })
    }

    /// Whether the repository's format is one these readers know: format version 0 or 1 with no
    /// extension but `noop` and `objectformat = sha1`, no `core.worktree` or `core.bare` that
    /// moves things, no per-worktree config. A reftable or SHA-256 repository, or a config this
    /// reader cannot read strictly, is not: libgit2 then reads it or refuses it with its reason.
    static func knowsFormat(commonDirectory: String, gitDirectory: String) -> Bool {
        guard SmallFile.kind(gitDirectory + "/config.worktree") == nil else { return false }
        guard let text = SmallFile.validText(commonDirectory + "/config"), case .known(let entries) = ConfigFile.parse(text)
        else { return false }
        for entry in entries {
            switch (entry.section, entry.subsection, entry.key) {
            case ("core", nil, "repositoryformatversion"):
                guard entry.value == "0" || entry.value == "1" else { return false }
            case ("core", nil, "worktree"):
                return false
            case ("extensions", nil, "noop"):
                continue
            case ("extensions", nil, "objectformat"):
                guard entry.value?.lowercased() == "sha1" else { return false }
            case ("extensions", _, _):
                return false
            default:
                continue
            }
        }
        return true
    }

    private static func isBare(_ gitDirectory: String) -> Bool {
        guard let text = SmallFile.validText(gitDirectory + "/config"), case .known(let entries) = ConfigFile.parse(text) else {
            return false
        }
        guard let bare = entries.last(where: { $0.section == "core" && $0.subsection == nil && $0.key == "bare" }) else { return false }
        return bare.value.map { ["true", "yes", "on", "1"].contains($0.lowercased()) } ?? true
    }

    private static func absolute(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }
}

extension StringProtocol {
    /// Without spaces, tabs and line ends at either end (Foundation's `trimmingCharacters`
    /// goes through NSString and CharacterSet, too slow for the hook's start-up).
    public var trimmedASCII: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
