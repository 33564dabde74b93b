/// The words a shell may complete an argument with, read from the repository around a directory.
/// A completion runs at each press of Tab: it reads the files (libgit2 only where they do not
/// answer), and anything that fails, or no repository at all, gives no words and no message.
public enum CompletionWords {
    /// The release tags, highest version first, that start with `prefix`.
    public static func releaseTags(from directory: String, prefix: String) -> [String] {
        guard let repository = try? OpenRepository.open(from: directory) else { return [] }
        return tagNames(in: repository.reader, prefix: prefix)
            .compactMap { name in ReleaseRef(RefName.tag(name)).map { (name, $0.version) } }
            .sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
            .map(\.0)
    }

    /// Branch and tag names (short, as people type them) that start with `prefix`: branches
    /// first, then tags, each sorted.
    public static func refs(from directory: String, prefix: String) -> [String] {
        guard let repository = try? OpenRepository.open(from: directory) else { return [] }
        let branches = (try? repository.reader.referenceNames(matching: RefName.headsPrefix + "*")) ?? []
        return branches.map(RefName.short).filter { $0.hasPrefix(prefix) }
            + tagNames(in: repository.reader, prefix: prefix).sorted()
    }

    /// The environments the repository's settings name, in their order, that start with `prefix`.
    public static func environments(from directory: String, prefix: String) -> [String] {
        guard let repository = try? OpenRepository.open(from: directory) else { return [] }
        return repository.settings.environments.map(\.name).filter { $0.hasPrefix(prefix) }
    }

    private static func tagNames(in reader: RepositoryReader, prefix: String) -> [String] {
        var names = Set<String>()
        try? reader.forEachTagName { bytes in
            let name = String(decoding: bytes, as: UTF8.self)
            if name.hasPrefix(prefix) { names.insert(name) }
        }
        return Array(names)
    }
}
