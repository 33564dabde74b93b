import Git
import GitFiles

/// A repository opened for reading, with the settings that apply to it: both from the files
/// when they are plain, through libgit2 (and git, for `.release-guardian`) when they are not.
public struct OpenRepository {
    public let reader: RepositoryReader
    public let settings: Settings

    /// The repository that contains `directory` (or the one `GIT_DIR` names, as in a hook).
    public static func open(
        from directory: String, environment: (String) -> String? = ProcessEnvironment.value
    ) throws(OpenError) -> OpenRepository {
        if let layout = RepositoryLayout.find(from: directory, environment: environment) {
            let reader = RepositoryReader(files: RepositoryFiles(layout: layout)) { () throws(GitError) in
                try Repository.discover(from: directory)
            }
            let plain: Answer<Settings>
            do { plain = try PlainSettings.read(layout: layout, environment: environment) } catch { throw .configuration(error) }
            if case .known(let settings) = plain { return OpenRepository(reader: reader, settings: settings) }
            let repository: Repository
            do { repository = try reader.repository() } catch { throw .repository(error) }
            do { return OpenRepository(reader: reader, settings: try Settings.load(for: repository)) } catch { throw .configuration(error) }
        }
        let repository: Repository
        do { repository = try Repository.discover(from: directory) } catch {
            // libgit2 refuses a repository whose config it cannot parse, naming the file and line.
            if error.isConfiguration {
                throw .configuration(.unreadable(source: "the repository's git config", detail: error.message))
            }
            throw .repository(.git(error))
        }
        try checkSyntax(ofConfig: repository.commonDirectory + "config")
        let reader = RepositoryReader(repository, environment: environment)
        do { return OpenRepository(reader: reader, settings: try Settings.load(for: repository)) } catch { throw .configuration(error) }
    }
}

extension OpenRepository {
    /// libgit2 reads some config files git refuses (`key # comment`): a repository's config the
    /// plain reader cannot vouch for is held to git's reading, which names the line.
    static func checkSyntax(ofConfig path: String) throws(OpenError) {
        guard SmallFile.kind(path) == .file else { return }
        if let text = SmallFile.validText(path), case .known = ConfigFile.parse(text) { return }
        do {
            _ = try GitCommandLine.configEntries(file: path)
        } catch {
            throw .configuration(.malformedFile(path: path, detail: Settings.gitConfigError(error.output, source: path)))
        }
    }
}

/// Why a repository could not be opened with its settings; exit 2.
public enum OpenError: Error, CustomStringConvertible {
    case repository(ReadError)
    case configuration(ConfigurationError)

    public var description: String {
        switch self {
        case .repository(let error): error.openingDescription
        case .configuration(let error): "\(error)"
        }
    }
}
