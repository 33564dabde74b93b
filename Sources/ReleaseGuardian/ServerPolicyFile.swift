import Foundation
import Git

/// The policy file of a server repository (`release-guardian.config` beside its `config`): the
/// server's owner writes it with `install --server`, pushers cannot touch it.
public enum ServerPolicyFile {
    public enum Outcome: Equatable, Sendable {
        /// Written from `source` (a file given, or the `.release-guardian` committed on main).
        case written(path: String, source: String)
        /// A policy file was there and no other was given: kept as it is.
        case kept(path: String)
        /// Neither a file given nor one committed: the defaults and git config apply.
        case none(path: String)
    }

    public static func path(in repository: Repository) -> String {
        repository.commonDirectory + Settings.serverPolicyFileName
    }

    /// Writes the server's policy file from `file`, or, when there is none yet, from the
    /// `.release-guardian` committed on main. Either is validated first; nothing is written when
    /// it is not valid.
    public static func install(in repository: Repository, from file: String?) throws(InstallError) -> Outcome {
        let path = path(in: repository)
        let text: [UInt8]
        let source: String
        if let file {
            guard let bytes = FileManager.default.contents(atPath: file) else { throw .io(path: file, detail: "cannot read it") }
            do {
                var values = RawValues()
                values.merge(try Settings.read(file: file), source: file)
                _ = try Settings(values)
            } catch {
                throw .invalidPolicy("\(error)")
            }
            text = Array(bytes)
            source = file
        } else {
            if FileManager.default.fileExists(atPath: path) { return .kept(path: path) }
            let main: String
            do { main = try Settings.serverPolicy(for: repository).settings.mainBranch } catch { throw .invalidPolicy("\(error)") }
            let committed: Settings?
            do { committed = try Settings.committedFile(onBranch: main, in: LibGit2Reader(repository)) } catch {
                throw .invalidPolicy("\(error)")
            }
            guard let committed, let tip = try? repository.target(ofReference: main),
                let bytes = try? repository.fileContent(Settings.fileName, at: tip)
            else { return .none(path: path) }
            // Copied without review only when it is at least as strict as the defaults: a pusher
            // could have committed it, and a re-run of install would adopt it.
            let loosened = committed.loosenings(comparedTo: Settings())
            guard loosened.isEmpty else {
                throw .invalidPolicy(
                    "the \(Settings.fileName) committed on \(RefName.short(main)) loosens the defaults (\(loosened.joined(separator: ", "))), and anyone who can push to main could have written it. Review it, then install it with --policy FILE (e.g. `git show \(shellQuoted(RefName.short(main) + ":" + Settings.fileName)) > policy`)."
                )
            }
            text = bytes
            source = "\(RefName.short(main)):\(Settings.fileName)"
        }
        let temporary = path + ".release-guardian-tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text), attributes: [.posixPermissions: 0o644]),
            rename(temporary, path) == 0
        else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .io(path: path, detail: String(cString: strerror(errno)))
        }
        return .written(path: path, source: source)
    }
}
