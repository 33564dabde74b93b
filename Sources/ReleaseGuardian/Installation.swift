import Git

/// The repository `install` writes into (`--repo`'s, else the one around the current
/// directory), and what it installs there.
public struct Installation {
    let repository: Repository

    public init(repository path: String?, from directory: String) throws(InstallError) {
        do throws(GitError) {
            if let path {
                repository = try Repository.open(at: path)
            } else {
                repository = try Repository.discover(from: directory)
            }
        } catch {
            throw .notARepository(path.map { "\($0) is not a git repository: \(error.message)" } ?? ReadError.git(error).openingDescription)
        }
    }

    /// The server's policy file (`ServerPolicyFile.install`).
    public func installServerPolicy(from file: String?) throws(InstallError) -> ServerPolicyFile.Outcome {
        try ServerPolicyFile.install(in: repository, from: file)
    }

    /// The server policy's baselines that name no tag of the repository: `audit` there would
    /// stop on them (and `ci` in a clone), so `install` says so at once.
    public var baselinesNamingNoTag: [String] {
        guard let settings = try? Settings.serverPolicy(for: repository).settings else { return [] }
        return settings.baselines.compactMap { baseline in
            (try? repository.target(ofReference: RefName.tag(baseline.tag))) == nil ? "\(baseline.key) = \(baseline.tag)" : nil
        }
    }

    /// The rules the server applies, in a line; nil when its policy cannot be read.
    public var serverRuleSummary: String? {
        try? Settings.serverPolicy(for: repository).settings.ruleSummary
    }

    public func install(_ hook: Hook, binaryPath: String?) throws(InstallError) -> HookInstaller.Result {
        try HookInstaller().install(hook, in: repository, binaryPath: binaryPath)
    }
}
