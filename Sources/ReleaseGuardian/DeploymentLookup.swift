import Git

extension Deployment {
    /// `env`'s question: where the ref `given` deploys, in the repository around `directory`
    /// (no ref: the CI's, else HEAD's branch). It is the first step of every pipeline, so it reads
    /// like the pre-push hook: the settings and the ref from the files (`OpenRepository`,
    /// `RepositoryReader`), libgit2 opened only for what they cannot answer.
    public static func lookUp(
        _ given: String?, from directory: String,
        environment: (String) -> String? = ProcessEnvironment.value
    ) throws(DeploymentLookupError) -> Deployment {
        let open: OpenRepository
        do { open = try OpenRepository.open(from: directory, environment: environment) } catch { throw .open(error) }
        do {
            return Deployment(ref: try RefResolver.resolve(given, in: open.reader, environment: environment), settings: open.settings)
        } catch {
            throw .ref(error)
        }
    }
}

/// Why `env` cannot say where a ref deploys.
public enum DeploymentLookupError: Error, CustomStringConvertible {
    /// No repository here, or its settings cannot be read.
    case open(OpenError)
    case ref(RefError)

    public var description: String {
        switch self {
        case .open(let error): "\(error)"
        case .ref(let error): "\(error)"
        }
    }
}
