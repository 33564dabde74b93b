import Foundation
import Glibc
import Git
import GitFiles
import TestSupport
import Testing
@testable import ReleaseGuardian

/// The fast readers against git over inputs nobody here wrote: libgit2's own test fixtures
/// (Debian's `libgit2-fixtures`, installed by `ci/setup.sh`; `LIBGIT2_FIXTURES` points elsewhere).
/// Config files against `git config -f FILE --list -z`; the tag listings and tag values of every
/// fixture repository against `git for-each-ref` and `git rev-parse`.
struct FixtureDifferentialTests {
    static let root = ProcessInfo.processInfo.environment["LIBGIT2_FIXTURES"] ?? "/usr/share/doc/libgit2-fixtures/examples"

    /// Every regular file under the fixtures, relative to `root`, sorted (the order of a run is fixed).
    static func files() throws -> [String] {
        var isDirectory: ObjCBool = false
        try #require(
            FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) && isDirectory.boolValue,
            "no libgit2 fixtures at \(root): run ci/setup.sh (apt-get install libgit2-fixtures)")
        let all = try #require(FileManager.default.subpaths(atPath: root))
        return all.filter { path in
            var info = stat()
            return lstat(root + "/" + path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }.sorted()
    }

    /// git's config syntax under any of its names: repository configs, `.gitconfig`, `*.config`,
    /// `.gitmodules` (libgit2 stores it as `gitmodules`), and everything in the `config/` fixture.
    static func isConfigLike(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return path.hasPrefix("config/") || name == "config" || name.hasSuffix(".config")
            || ["gitconfig", ".gitconfig", "gitmodules", ".gitmodules"].contains(name)
    }

    /// `name\nvalue\0` per entry, `name\0` for a bare key; nil when git refuses the file.
    static func gitEntries(of bytes: Data, in scratch: Scratch) throws -> [(name: String, value: String?)]? {
        let path = scratch.root + "/fixture-config"
        try bytes.write(to: URL(fileURLWithPath: path))
        guard let output = ConfigFileDifferentialTests.spawnGit(["config", "-f", path, "--list", "-z"], environment: scratch.environment)
        else { return nil }
        return output.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map { record in
            guard let newline = record.firstIndex(of: "\n") else { return (String(record), nil) }
            return (String(record[..<newline]), String(record[record.index(after: newline)...]))
        }
    }

    @Test func plainConfigAgreesWithGitOnLibgit2Fixtures() throws {
        let scratch = try Scratch()
        let paths = try Self.files().filter(Self.isConfigLike)
        var compared = 0
        var steppedAside: [String] = []
        var refusedByGit: [String] = []
        var tooLarge: [String] = []
        for path in paths {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.root + "/" + path))
            // PlainSettings hands ConfigFile only valid UTF-8 (SmallFile.validText).
            let plain = String(validating: bytes, as: UTF8.self).flatMap { ConfigFile.parse($0).value }
            // `config/config-oom` (a 494 kB section name over 40,000 keys) lists as 19 GB: both
            // readers take it, but no test can compare that listing in seconds.
            let listingSize =
                plain?.reduce(0) {
                    $0 + $1.section.utf8.count + ($1.subsection?.utf8.count ?? 0) + $1.key.utf8.count + ($1.value?.utf8.count ?? 0) + 3
                } ?? 0
            if listingSize > 1 << 24 {
                tooLarge.append("\(path) (\(listingSize) bytes listed)")
                continue
            }
            let git = try Self.gitEntries(of: bytes, in: scratch)
            if git == nil { refusedByGit.append(path) }
            guard let plain else {
                steppedAside.append(path)
                continue
            }
            compared += 1
            let mine = plain.map { ($0.name, $0.value as String?) }
            guard let git else {
                Issue.record("\(path): git refuses it, ConfigFile reads \(mine)")
                continue
            }
            if git.count != mine.count || !zip(git, mine).allSatisfy({ $0.name == $1.0 && $0.value == $1.1 }) {
                Issue.record("\(path): git reads \(git), ConfigFile \(mine)")
            }
        }
        print(
            "FixtureDifferentialTests: \(paths.count) config files; \(compared) compared with git config --list, \(steppedAside.count) stepped aside (\(steppedAside.joined(separator: ", "))); git refused \(refusedByGit); too large to compare: \(tooLarge)"
        )
        #expect(compared >= 50, "only \(compared) of \(paths.count) fixture config files were compared")
    }

    /// The fixture's git directories: a `HEAD` file beside an `objects` directory (bare `*.git`,
    /// `.gitted` that libgit2's tests rename to `.git`, and submodules' `modules/<name>`).
    static func gitDirectories(_ files: [String]) -> [String] {
        files.filter { ($0 as NSString).lastPathComponent == "HEAD" }
            .map { ($0 as NSString).deletingLastPathComponent }
            .filter { SmallFile.kind(root + "/" + $0 + "/objects") == .directory }
    }

    enum Listing: Equatable, CustomStringConvertible {
        case names(Set<String>)
        case refused(String)

        var description: String {
            switch self {
            case .names(let names): names.sorted().description
            case .refused(let why): "refused (\(why))"
            }
        }
    }

    static func listing(_ body: ((UnsafeBufferPointer<UInt8>) -> Void) throws -> Void) -> Listing {
        var names = Set<String>()
        do {
            try body { names.insert(String(decoding: $0, as: UTF8.self)) }
        } catch {
            return .refused("\(error)")
        }
        return .names(names)
    }

    @Test func tagReadersAgreeWithGitOnLibgit2Fixtures() throws {
        LibGit2.ignoreUserAndSystemConfiguration()
        let scratch = try Scratch()
        let directories = Self.gitDirectories(try Self.files())
        var repositories = 0
        var tagsCompared = 0
        var valuesCompared = 0
        var valuesSkipped = 0
        var bothRefused: [String] = []
        var readerRefused: [String] = []
        var sortedPackedRefs = 0
        var unknownLayouts: [String] = []
        var libgit2Laxer: [String] = []
        for (index, directory) in directories.enumerated() {
            // A copy at the fixture's own path, `.gitted` renamed to `.git` as libgit2's sandbox
            // does; a submodule's `core.worktree` (a checkout the copy lacks) is made to exist, so
            // that git and libgit2 both open it. git's work tree is the copy's root.
            let parent = scratch.root + "/repos/\(index)"
            let copy = parent + "/" + directory.replacingOccurrences(of: ".gitted", with: ".git")
            try FileManager.default.createDirectory(atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Self.root + "/" + directory, toPath: copy)
            if let worktree = ConfigFileDifferentialTests.spawnGit(
                ["config", "-f", copy + "/config", "core.worktree"], environment: scratch.environment)
            {
                let path = worktree.trimmingCharacters(in: .newlines)
                let absolute = path.hasPrefix("/") ? path : copy + "/" + path
                if absolute.hasPrefix(scratch.root) {
                    try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
                }
            }
            let gitArguments = ["--git-dir=" + copy, "--work-tree=" + parent]
            let git: Listing =
                ConfigFileDifferentialTests.spawnGit(
                    gitArguments + ["for-each-ref", "--format=%(refname:strip=2)", "refs/tags"], environment: scratch.environment
                ).map { .names(Set($0.split(separator: "\n").map(String.init))) } ?? .refused("git for-each-ref fails")

            // The file readers answer only for a layout and format they know; "unknown" is allowed.
            let files = RepositoryLayout.at(gitDirectory: copy, workTree: parent, environment: { _ in nil }).map(RepositoryFiles.init)
            if files == nil { unknownLayouts.append(directory) }
            var readers: [(String, Listing)] = []
            if let files {
                readers.append(("RepositoryFiles", Self.listing { body in try files.forEachTagName(body) }))
            }
            if let repository = try? Repository.open(at: copy) {
                readers.append(("Repository (libgit2 open)", Self.listing { body in try repository.forEachTagName(body) }))
            } else {
                readers.append(("Repository (libgit2 open)", .refused("libgit2 cannot open it")))
            }
            // By range, where packed-refs says it is sorted (the files answer the whole range).
            if let files {
                var byRange = Set<String>()
                if case .known = try? files.forEachTagName(from: "", to: nil, { byRange.insert(String(decoding: $0, as: UTF8.self)) }) {
                    sortedPackedRefs += 1
                    readers.append(("by range", .names(byRange)))
                }
            }
            for (reader, answer) in readers {
                switch (answer, git) {
                case (.names(let mine), .names(let theirs)):
                    if mine != theirs { Issue.record("\(directory): git lists \(git), \(reader) \(answer)") }
                case (.names, .refused) where reader.hasPrefix("Repository"):
                    // libgit2 is the reference the file readers are held to, not the thing tested;
                    // where it is laxer than git (bad_tag.git), the file readers side with git.
                    libgit2Laxer.append(directory)
                case (.names, .refused):
                    Issue.record("\(directory): git refuses its tags, \(reader) lists \(answer)")
                case (.refused, .refused):
                    bothRefused.append("\(directory) [\(reader)]")
                case (.refused(let why), .names):
                    readerRefused.append("\(directory) [\(reader): \(why)]")
                }
            }
            guard case .names(let names) = git else { continue }
            repositories += 1
            tagsCompared += names.count

            // Each tag's value: the loose reader and libgit2 against `git rev-parse`.
            let sorted = names.sorted()
            guard !sorted.isEmpty else { continue }
            let ids = ConfigFileDifferentialTests.spawnGit(
                gitArguments + ["rev-parse"] + sorted.map { "refs/tags/" + $0 }, environment: scratch.environment
            )?.split(separator: "\n").map(String.init)
            guard let ids, ids.count == sorted.count else {
                Issue.record("\(directory): git rev-parse fails on tags for-each-ref lists: \(sorted)")
                continue
            }
            let repository = try? Repository.open(at: copy)
            for (tag, id) in zip(sorted, ids) {
                let reference = "refs/tags/" + tag
                do {
                    switch try files?.target(ofReference: reference) ?? .unknown {
                    case .known(let mine):
                        valuesCompared += 1
                        if mine?.hex != id {
                            Issue.record("\(directory): \(reference) is \(id) to git, \(mine?.hex ?? "missing") to RepositoryFiles")
                        }
                    case .unknown:
                        valuesSkipped += 1
                    }
                } catch {
                    Issue.record("\(directory): RepositoryFiles cannot read \(reference) (\(error)), git reads \(id)")
                }
                if let repository {
                    let theirs = try? repository.target(ofReference: reference)
                    if theirs?.hex != id {
                        Issue.record("\(directory): \(reference) is \(id) to git, \(theirs?.hex ?? "missing or unreadable") to libgit2")
                    }
                }
            }
        }
        print(
            "FixtureDifferentialTests: \(directories.count) fixture repositories; \(repositories) read by git, \(tagsCompared) tag names and \(valuesCompared) values compared (\(valuesSkipped) values left to libgit2), \(sortedPackedRefs) also by range; layouts left to libgit2: \(unknownLayouts); libgit2 lists where git refuses: \(libgit2Laxer); both refused: \(bothRefused); reader refused where git reads: \(readerRefused)"
        )
        #expect(repositories >= 40, "only \(repositories) fixture repositories were compared")
        #expect(tagsCompared >= 20, "only \(tagsCompared) tags were compared")
    }
}
