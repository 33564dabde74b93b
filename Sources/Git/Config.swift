import CLibGit2

/// A read-only view of git configuration, from a repository or a single file.
public final class Config {
    let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        git_config_free(handle)
    }

    /// Parses one file in git-config syntax. A syntax error throws with the file and line in
    /// the message, as libgit2 reports them.
    public static func open(file path: String) throws(GitError) -> Config {
        LibGit2.initialize()
        var out: OpaquePointer?
        try check(git_config_open_ondisk(&out, path), "git_config_open_ondisk")
        return Config(handle: out!)
    }

    public struct Entry: Sendable, Equatable {
        /// As libgit2 normalises it: section and key lowercased, subsection as written.
        public let name: String
        /// The value; empty for a bare key too (see `isBareKey`).
        public let value: String
        /// A key written without `=` (`[release] allowSkip`), which git reads as true; `allowSkip =`
        /// has an empty value, which git reads as false.
        public let isBareKey: Bool

        public init(name: String, value: String, isBareKey: Bool = false) {
            self.name = name
            self.value = value
            self.isBareKey = isBareKey
        }
    }

    /// Every entry, in file order, optionally only those whose name matches `regex`.
    public func entries(matching regex: String? = nil) throws(GitError) -> [Entry] {
        var iterator: OpaquePointer?
        if let regex {
            try check(git_config_iterator_glob_new(&iterator, handle, regex), "git_config_iterator_glob_new")
        } else {
            try check(git_config_iterator_new(&iterator, handle), "git_config_iterator_new")
        }
        defer { git_config_iterator_free(iterator) }
        var result: [Entry] = []
        var entry: UnsafeMutablePointer<git_config_entry>?
        while true {
            let rc = git_config_next(&entry, iterator)
            if rc == GIT_ITEROVER.rawValue { return result }
            try check(rc, "git_config_next")
            // libgit2 gives a bare key a NULL value.
            let value = entry!.pointee.value.map { String(cString: $0) }
            result.append(Entry(name: String(cString: entry!.pointee.name), value: value ?? "", isBareKey: value == nil))
        }
    }
}

extension Config {
    /// The last value of a single-valued entry, or nil when it is not set.
    public func string(_ name: String) throws(GitError) -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let rc = git_config_get_string_buf(&buffer, handle, name)
        if rc == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(rc, "git_config_get_string_buf")
        return String(cString: buffer.ptr)
    }
}
