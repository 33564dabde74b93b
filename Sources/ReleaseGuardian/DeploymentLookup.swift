import Git

extension Deployment {
    /// `env`'s question: where the ref `given` deploys, in the repository around `directory`
    /// (no ref: the CI's, else HEAD's branch).
    public static func lookUp(
        _ given: String?, from directory: String, environment: [String: String]
    ) throws(DeploymentLookupError) -> Deployment {
        let repository: Repository
        do { repository = try Repository.discover(from: directory) } catch { throw .repository(error) }
        let settings: Settings
        do { settings = try Settings.load(for: repository) } catch { throw .configuration(error) }
        do {
            return Deployment(ref: try RefResolver.resolve(given, in: repository, environment: environment), settings: settings)
        } catch {
            throw .ref(error)
        }
    }
}

/// Why `env` cannot say where a ref deploys.
public enum DeploymentLookupError: Error, CustomStringConvertible {
    /// No repository around the directory, or one whose git config libgit2 cannot read.
    case repository(GitError)
    case configuration(ConfigurationError)
    case ref(RefError)

    public var description: String {
        switch self {
        case .repository(let error): ReadError.git(error).openingDescription
        case .configuration(let error): "\(error)"
        case .ref(let error): "\(error)"
        }
    }
}
