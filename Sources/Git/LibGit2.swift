import CLibGit2

/// libgit2's global state: initialised once, never shut down (as git2-rs does).
public enum LibGit2 {
    private static let initialized: Bool = {
        git_libgit2_init()
        // As git does: GIT_CONFIG_NOSYSTEM leaves /etc/gitconfig out (libgit2 1.5 does not read
        // the variable itself), so the plain reader of the hook's fast path and libgit2 agree.
        if let value = ProcessEnvironment.value("GIT_CONFIG_NOSYSTEM"), ["1", "true", "yes", "on"].contains(value.lowercased()) {
            _ = rg_libgit2_set_search_path(GIT_CONFIG_LEVEL_SYSTEM, "")
        }
        return true
    }()

    /// Call before any libgit2 function; cheap after the first call.
    static func initialize() {
        _ = initialized
    }

    /// Stops libgit2 from reading the global, XDG and system configuration files, so that a
    /// developer's `~/.gitconfig` cannot change a result (tests use this).
    public static func ignoreUserAndSystemConfiguration() {
        initialize()
        for level in [GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_PROGRAMDATA] {
            _ = rg_libgit2_set_search_path(level, "")
        }
    }
}
