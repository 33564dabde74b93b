import Foundation
import Git
#if canImport(Glibc)
    import Glibc
#endif

/// The test process itself kept from the developer's git configuration and environment.
///
/// `Scratch.environment` isolates the processes a test starts; this isolates what a test runs
/// in-process: libgit2, the plain settings reader (which takes HOME, XDG_CONFIG_HOME and
/// GIT_CONFIG_NOSYSTEM from the process, as `PushCheck` calls it), the `git` the library spawns
/// with the process's environment (`git config --blob` in `ServerHook`), and the credentials the
/// transport takes from it (an SSH agent, a passphrase). Once per process, before the first
/// scratch directory: HOME is an empty directory of this process, no system config, none of the
/// `isHostSpecific` variables, and libgit2's global, XDG and system search paths emptied (as
/// pygit2's conftest does).
public enum HostIsolation {
    /// Whether `name` is a variable of the host that changes what git, libgit2 or release-guardian
    /// do: git's own (`GIT_DIR` of a hook `swift test` runs from, `GIT_CONFIG_*`), the CI
    /// platform's (`ci` and `env --format github` read `GITHUB_*`, `GITLAB_CI`, `CI_*`), the
    /// credentials the transport takes (`SSH_AUTH_SOCK`, `RELEASE_GUARDIAN_HTTPS_*` and `_SSH_*`).
    public static func isHostSpecific(_ name: String) -> Bool {
        ["GIT_", "GITHUB_", "GITLAB_", "CI_", "RELEASE_GUARDIAN_HTTPS_", "RELEASE_GUARDIAN_SSH_"].contains { name.hasPrefix($0) }
            || ["JENKINS_URL", "BUILDKITE", "CIRCLECI", "TEAMCITY_VERSION", "TF_BUILD", "BITBUCKET_BUILD_NUMBER", "DRONE"].contains(name)
            || name == "SSH_AUTH_SOCK"
    }

    /// The empty HOME the test process runs with; removed when the process exits.
    public static let home = FileManager.default.temporaryDirectory.path + "/release-guardian-test-home-\(getpid())"

    private static let applied: Void = {
        _ = try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        atexit { _ = rmdir(HostIsolation.home) }
        for name in ProcessInfo.processInfo.environment.keys where isHostSpecific(name) {
            unsetenv(name)
        }
        setenv("HOME", home, 1)
        setenv("XDG_CONFIG_HOME", home + "/.config", 1)
        setenv("GIT_CONFIG_NOSYSTEM", "1", 1)
        LibGit2.ignoreUserAndSystemConfiguration()
    }()

    /// Applies the isolation (once; later calls do nothing). `Scratch.init` calls it, so every
    /// fixture isolates the process before it builds anything; so does `SeededRandom.init`. Tests
    /// run in parallel and setenv may move the environment while another thread reads it: code
    /// that reads the environment does so after this returns (other callers wait for the first).
    public static func apply() {
        _ = applied
    }
}
