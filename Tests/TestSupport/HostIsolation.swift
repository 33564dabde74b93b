import Foundation
import Git
#if canImport(Glibc)
import Glibc
#endif

/// The test process itself kept from the developer's git configuration.
///
/// `Scratch.environment` isolates the processes a test starts; this isolates what a test runs
/// in-process: libgit2, the plain settings reader (which takes HOME, XDG_CONFIG_HOME and
/// GIT_CONFIG_NOSYSTEM from the process, as `PushCheck` calls it), and the `git` the library
/// spawns with the process's environment (`git config --blob` in `ServerHook`). Once per process,
/// before the first scratch directory: HOME is an empty directory of this process, no system
/// config, no `GIT_*` variable of a hook that `swift test` may have been started from, and
/// libgit2's global, XDG and system search paths emptied (as pygit2's conftest does).
public enum HostIsolation {
    /// The empty HOME the test process runs with; removed when the process exits.
    public static let home = FileManager.default.temporaryDirectory.path + "/release-guardian-test-home-\(getpid())"

    private static let applied: Void = {
        _ = try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        atexit { _ = rmdir(HostIsolation.home) }
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("GIT_") {
            unsetenv(name)
        }
        setenv("HOME", home, 1)
        setenv("XDG_CONFIG_HOME", home + "/.config", 1)
        setenv("GIT_CONFIG_NOSYSTEM", "1", 1)
        LibGit2.ignoreUserAndSystemConfiguration()
    }()

    /// Applies the isolation (once; later calls do nothing). `Scratch.init` calls it, so every
    /// fixture isolates the process before it builds anything.
    public static func apply() {
        _ = applied
    }
}
