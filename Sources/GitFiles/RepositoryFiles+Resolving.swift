import Glibc

/// What a short name and HEAD name, from the files: `env`'s questions, the first step of every
/// pipeline, answered without libgit2 where the files are plain.
extension RepositoryFiles {
    /// The full name of the ref a short name means, found as libgit2's `git_reference_dwim`
    /// finds it: the first of `%s`, `refs/%s`, `refs/tags/%s`, `refs/heads/%s`,
    /// `refs/remotes/%s`, `refs/remotes/%s/HEAD` that is a valid name and exists (git's
    /// `rev-parse` tries the same, in the same order). Known when every candidate before the
    /// one found is certainly absent and that one is a plain ref of the shared `refs/`;
    /// unknown as soon as a candidate is symbolic (`origin/HEAD`, which libgit2 resolves to the
    /// branch it names), a pseudo-ref or other file outside `refs/` (`HEAD`, `FETCH_HEAD`), a
    /// per-worktree ref, or anything unreadable; unknown too for an empty or non-ASCII name
    /// (libgit2 reads `HEAD` for the first, and may recompose the second's Unicode) and for one
    /// with a NUL (libgit2 reads it up to there).
    public func fullReferenceName(for shorthand: String) throws(RefFilesError) -> Answer<String?> {
        guard !shorthand.isEmpty, shorthand.utf8.allSatisfy({ $0 != 0 && $0 < 0x80 }) else { return .unknown }
        return try PackedRefs.read(commonDirectory: commonDirectory) { file throws(RefFilesError) -> Answer<String?> in
            for (prefix, suffix) in Self.shorthandRules {
                let candidate = prefix + shorthand + suffix
                guard RefNameFormat.isValid(candidate) else { continue }  // libgit2 skips it too
                let packed = try file?.record(named: Array(candidate.utf8)) != nil
                guard Self.isSharedRef(candidate) else {
                    // Outside `refs/` (libgit2 reads `origin/main` as `<git dir>/origin/main`) or
                    // per worktree: only nothing at all lets the search go on.
                    guard !packed, Self.isAbsent(layout.gitDirectory + candidate), Self.isAbsent(commonDirectory + candidate)
                    else { return .unknown }
                    continue
                }
                switch LooseRefs.value(of: candidate, commonDirectory: commonDirectory) {
                case .id: return .known(candidate)
                case .unknown: return .unknown
                case .absent: if packed { return .known(candidate) }
                }
            }
            return .known(nil)
        }
    }

    /// The rules of `git_reference_dwim` (and git's `ref_rev_parse_rules`), in order: prefix, suffix.
    static let shorthandRules = [
        ("", ""), ("refs/", ""), ("refs/tags/", ""), ("refs/heads/", ""), ("refs/remotes/", ""),
        ("refs/remotes/", "/HEAD"),
    ]

    /// The branch HEAD names (`refs/heads/main`, whether or not it has a commit yet), nil when
    /// HEAD is detached, read from `<git directory>/HEAD` (per worktree). Known for
    /// `ref: refs/heads/<valid name>` with an optional line end, and for a detached HEAD of 40
    /// hex digits; anything else (a symlink, another target, odd spacing) is libgit2's to read.
    public func headBranch() -> Answer<String?> {
        guard case .success(let bytes) = SmallFile.head(layout.gitDirectory + "HEAD", limit: 1024, followLinks: false), bytes.count < 1024
        else { return .unknown }
        var content = bytes[...]
        if content.starts(with: "ref: ".utf8) {
            if content.last == UInt8(ascii: "\n") { content.removeLast() }
            let target = String(decoding: content.dropFirst(5), as: UTF8.self)
            guard target.hasPrefix("refs/heads/"), RefNameFormat.isValid(target) else { return .unknown }
            return .known(target)
        }
        return LooseRefs.isReference(content) ? .known(nil) : .unknown
    }

    /// Nothing at `path`, not even a directory (an unreadable parent is not "nothing").
    static func isAbsent(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) != 0 && (errno == ENOENT || errno == ENOTDIR)
    }
}
