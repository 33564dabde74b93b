import Git
import GitFiles

/// The settings of a clone read from the files alone, for the hook's fast paths.
///
/// A push of feature branches must cost nothing, and a new tag little: libgit2's global
/// initialisation alone parses the system's CA bundle (~6 ms). This reads the same files in the
/// same order as `Settings.load`, with the strict config reader, and builds `Settings` through
/// the same validation. Where a file is one that reader does not handle (includes, quotes,
/// escapes, a file too large, a server's policy), the answer is `.unknown` and the caller takes
/// `Settings.load`, where git and libgit2 read the files and name the line of a malformed one.
enum PlainSettings {
    /// Throws what `Settings.load` would throw for the same values (an invalid value).
    static func read(layout: RepositoryLayout, environment: (String) -> String?) throws(ConfigurationError) -> Answer<Settings> {
        // A server's policy comes from its owner's files and main's committed file: `serverPolicy`.
        guard let workTree = layout.workTree else { return .unknown }
        // Config files named elsewhere: git honours these, libgit2 1.5 does not; let them tell.
        if environment("GIT_CONFIG_GLOBAL") != nil || environment("GIT_CONFIG_SYSTEM") != nil { return .unknown }
        var values = RawValues()
        let file = workTree + "/" + Settings.fileName
        if SmallFile.kind(file) != nil {
            guard let text = SmallFile.validText(file), text.utf8.count <= Settings.maximumFileSize,
                case .known(let entries) = ConfigFile.parse(text)
            else { return .unknown }
            values.merge(entries.map { Config.Entry(name: $0.name, value: $0.value ?? "", isBareKey: $0.value == nil) }, source: file)
        }
        // The repository's git config as libgit2 layers it, lowest precedence first.
        let home = environment("HOME") ?? ""
        let xdg = environment("XDG_CONFIG_HOME").map { $0 + "/git/config" } ?? home + "/.config/git/config"
        // GIT_CONFIG_NOSYSTEM leaves /etc/gitconfig out, as in git and in LibGit2.initialize.
        let noSystem = environment("GIT_CONFIG_NOSYSTEM").map { ["1", "true", "yes", "on"].contains($0.lowercased()) } ?? false
        var overrides: [Config.Entry] = []
        for path in [noSystem ? nil : "/etc/gitconfig", xdg, home + "/.gitconfig", layout.commonDirectory + "config"].compactMap({ $0 })
        where SmallFile.kind(path) != nil {
            guard let text = SmallFile.validText(path), case .known(let entries) = ConfigFile.parse(text) else { return .unknown }
            for entry in entries where entry.section == "release-guardian" {
                guard let subsection = entry.subsection else { continue }
                overrides.append(Config.Entry(name: subsection + "." + entry.key, value: entry.value ?? "", isBareKey: entry.value == nil))
            }
        }
        values.merge(overrides, source: "git config (\(Settings.gitConfigPrefix)…)")
        return .known(try Settings(values))
    }
}
