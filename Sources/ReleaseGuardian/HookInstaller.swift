import Foundation
import Git

/// Installs release-guardian's client hook into a repository without losing a hook it finds.
public struct HookInstaller {
    /// The marker that tells our hook from a foreign one.
    static let marker = "# release-guardian pre-push hook"
    /// The line that names the binary; `install` replaces it with the installing binary's path.
    static let binaryLine = "release_guardian=release-guardian"
    static let chainedName = "pre-push.chained"

    /// The script `install` writes: the same text as `hooks/pre-push` in this repository (a test
    /// keeps them equal).
    public static let prePushScript = #"""
#!/bin/sh
# release-guardian pre-push hook: refuses bad release tags and rewrites of main before they
# leave this machine. Installed by `release-guardian install`, which writes the binary's path on
# the next line; $RELEASE_GUARDIAN overrides it.
release_guardian=release-guardian
[ -n "${RELEASE_GUARDIAN:-}" ] && release_guardian=$RELEASE_GUARDIAN

if ! command -v "$release_guardian" >/dev/null 2>&1; then
    echo "pre-push: '$release_guardian' not found; install release-guardian or set RELEASE_GUARDIAN. Push refused." >&2
    exit 1
fi

# git writes the refs to push on stdin once: keep them for the chained hook and for the check.
input=$(cat)
chained="$(dirname "$0")/pre-push.chained"
if [ -x "$chained" ]; then
    printf '%s\n' "$input" | "$chained" "$@" || exit $?
fi
printf '%s\n' "$input" | "$release_guardian" check "$@"

"""#

    public enum Outcome: Equatable, Sendable {
        case installed
        case updated
        /// A foreign hook was there: it was moved beside ours and still runs first.
        case chained(movedTo: String)
    }

    public struct Result: Equatable, Sendable {
        public let hookPath: String
        public let outcome: Outcome
    }

    public init() {}

    /// Writes the `pre-push` hook into the hooks directory git uses for `repository`
    /// (honouring `core.hooksPath`). `binaryPath` is written into the hook so that it runs this
    /// very binary whatever the PATH of the git client.
    public func installPrePush(in repository: Repository, binaryPath: String?) throws(InstallError) -> Result {
        guard !repository.isBare else { throw .bareRepository(repository.gitDirectory) }
        let directory = try hooksDirectory(of: repository)
        let hook = directory + "/pre-push"
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory, detail: error.localizedDescription)
        }
        var outcome = Outcome.installed
        if files.fileExists(atPath: hook) || (try? files.destinationOfSymbolicLink(atPath: hook)) != nil {
            let existing = (try? String(contentsOfFile: hook, encoding: .utf8)) ?? ""
            if existing.contains(Self.marker) {
                outcome = .updated
            } else {
                let chained = directory + "/" + Self.chainedName
                guard !files.fileExists(atPath: chained) else { throw .chainedHookExists(hook: hook, chained: chained) }
                do {
                    try files.moveItem(atPath: hook, toPath: chained)
                } catch {
                    throw .io(path: hook, detail: error.localizedDescription)
                }
                outcome = .chained(movedTo: chained)
            }
        }
        try write(Self.script(binaryPath: binaryPath), to: hook)
        return Result(hookPath: hook, outcome: outcome)
    }

    static func script(binaryPath: String?) -> String {
        guard let binaryPath else { return prePushScript }
        let quoted = "'" + binaryPath.replacingOccurrences(of: "'", with: "'\\''") + "'"
        return prePushScript.replacingOccurrences(of: binaryLine + "\n", with: "release_guardian=\(quoted)\n")
    }

    /// `core.hooksPath` (relative to the working tree, `~` expanded) or the common `hooks/`.
    func hooksDirectory(of repository: Repository) throws(InstallError) -> String {
        let configured: String?
        do {
            configured = try repository.configuration().string("core.hookspath")
        } catch {
            throw .io(path: repository.gitDirectory + "config", detail: error.message)
        }
        guard var path = configured, !path.isEmpty else {
            return repository.commonDirectory + "hooks"
        }
        if path.hasPrefix("~/") {
            path = NSHomeDirectory() + path.dropFirst()
        } else if !path.hasPrefix("/") {
            path = (repository.workingDirectory ?? repository.gitDirectory) + path
        }
        return path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Writes through a temporary file and a rename, so a failure never leaves half a hook.
    private func write(_ text: String, to path: String) throws(InstallError) {
        let temporary = path + ".release-guardian-tmp"
        do {
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
            guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .io(path: path, detail: error.localizedDescription)
        }
    }
}

/// Why the hook could not be installed.
public enum InstallError: Error, Equatable, Sendable, CustomStringConvertible {
    case bareRepository(String)
    case chainedHookExists(hook: String, chained: String)
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case .bareRepository(let path):
            "\(path) is a bare repository: a pre-push hook runs on a developer's clone. Run `release-guardian install` inside a clone."
        case .chainedHookExists(let hook, let chained):
            "\(hook) is not release-guardian's, and \(chained) already exists, so the hook cannot be kept by moving it there. Merge the two by hand (or remove one), then run `release-guardian install` again. Nothing was changed."
        case .io(let path, let detail):
            "cannot write \(path): \(detail)"
        }
    }
}
