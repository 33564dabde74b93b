import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// One object store for a whole run of the generated repository tests, built once with the real
/// git CLI: a few hundred objects, most packed by `git fast-import`, some packed by `git
/// pack-objects` afterwards, the rest left loose. Each generated repository borrows it (through
/// a symlinked `objects` directory or `objects/info/alternates`) and writes only its ref files,
/// so a case costs a few file writes, not a `git init` and a history.
///
/// - `mainLine`: 80 packed commits, then 6 loose ones; a `.release-guardian` appears on the way,
///   valid at first, later with an invalid value, then with a syntax error, then valid again.
/// - `sideLine`: 16 packed commits off main's 15th, then 2 loose ones.
/// - `maintenanceLine`: 10 packed commits off main's 30th (a hotfix line).
/// - Annotated tags of commits (packed by fast-import, and loose), tags of tags, of trees and of
///   blobs (packed and loose), a tag of a tag of a tree.
/// - `missing`: ids of no object.
///
/// Object ids are the same on every run (fixed dates and identities), so a seed replays a case.
public final class GeneratedObjectStore: Sendable {
    /// The bare repository holding the objects (its own refs are of no interest).
    public let repository: String
    public var objectsDirectory: String { repository + "/objects" }
    public let mainLine: [String]
    public let sideLine: [String]
    public let maintenanceLine: [String]
    /// Annotated tag objects whose target is a commit.
    public let tagsOfCommits: [String]
    /// Annotated tag objects whose target is a tag.
    public let tagsOfTags: [String]
    /// Annotated tag objects whose target is a tree or a blob (or a tag of one).
    public let tagsOfOthers: [String]
    public let trees: [String]
    public let blobs: [String]
    public let missing: [String]
    /// "commit", "tree", "blob" or "tag", by id (`git cat-file --batch-check`).
    public let kinds: [String: String]
    /// What each object peels to (`<id>^{}`), by id.
    public let peeled: [String: String]
    /// The objects stored loose (`objects/xx/…`).
    public let loose: Set<String>
    /// How long building the store took, in seconds.
    public let buildSeconds: Double

    public let commits: [String]
    public let tags: [String]
    public let allObjects: [String]

    /// The store of this test process, built on first use and removed when the process exits.
    public static let shared: GeneratedObjectStore = {
        HostIsolation.apply()
        do {
            return try GeneratedObjectStore(at: sharedRoot)
        } catch {
            fatalError("cannot build the generated object store: \(error)")
        }
    }()

    private static let sharedRoot = memoryDirectory + "/release-guardian-object-store-\(getpid())"

    /// Where generated repositories go: memory (tmpfs) where there is one, since on a VM's disk
    /// creating and removing a few thousand small trees costs more than everything else a case
    /// does; else the temporary directory.
    public static let memoryDirectory: String = {
        HostIsolation.apply()
        var info = stat()
        if stat("/dev/shm", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, access("/dev/shm", W_OK) == 0 { return "/dev/shm" }
        return FileManager.default.temporaryDirectory.path
    }()

    private init(at root: String) throws {
        let started = Date()
        atexit { try? FileManager.default.removeItem(atPath: GeneratedObjectStore.sharedRoot) }
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let git = StoreGit(root: root)
        let repository = root + "/store.git"
        self.repository = repository
        try git.run(["init", "-q", "--bare", "-b", "main", repository])

        // 1. The bulk, packed: three lines of history and annotated tags, in one stream.
        var stream = ""
        var time = 1_700_000_000
        func commit(_ mark: Int, branch: String, from parent: Int?, files: [(String, String)]) {
            time += 60
            let message = "\(branch) commit \(mark)\n"
            stream += "commit refs/heads/\(branch)\nmark :\(mark)\n"
            stream += "committer Gen <gen@example.test> \(time) +0000\ndata \(message.utf8.count)\n\(message)"
            if let parent { stream += "from :\(parent)\n" }
            for (path, content) in files { stream += "M 644 inline \(path)\ndata \(content.utf8.count)\n\(content)\n" }
        }
        for mark in 1...80 {
            var files = [("file.txt", "main \(mark)\n")]
            switch mark {
            case 20: files.append((".release-guardian", "[release]\n\tallowSkip = true\n"))
            case 36: files.append((".release-guardian", "[release]\n\trequireAnnotated = maybe\n"))
            case 44: files.append((".release-guardian", "[release\n\tallowSkip = true\n"))
            case 46: files.append((".release-guardian", "[release]\n\tonlyVersionTags = true\n"))
            default: break
            }
            commit(mark, branch: "main", from: mark == 1 ? nil : mark - 1, files: files)
        }
        for mark in 101...116 { commit(mark, branch: "side", from: mark == 101 ? 15 : mark - 1, files: [("side.txt", "side \(mark)\n")]) }
        for mark in 201...210 { commit(mark, branch: "hotfix", from: mark == 201 ? 30 : mark - 1, files: [("fix.txt", "fix \(mark)\n")]) }
        let tagged = [
            1, 3, 5, 8, 10, 12, 15, 18, 20, 22, 25, 28, 30, 31, 33, 36, 38, 40, 42, 44, 46, 47, 48, 50, 53, 55, 58, 60, 61,
            64, 66, 70, 72, 75, 77, 79, 80, 101, 103, 106, 110, 112, 114, 116, 201, 203, 205, 208, 209, 210,
        ]
        for (index, mark) in tagged.enumerated() {
            time += 60
            let message = "Release \(index)\n"
            stream += "tag t\(index)\nfrom :\(mark)\ntagger Gen <gen@example.test> \(time) +0000\ndata \(message.utf8.count)\n\(message)\n"
        }
        let marksFile = root + "/marks"
        try git.run(["--git-dir=" + repository, "fast-import", "--quiet", "--export-marks=" + marksFile], input: stream)
        var marks: [Int: String] = [:]
        for line in try String(contentsOfFile: marksFile, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ")
            marks[Int(fields[0].dropFirst())!] = String(fields[1])
        }
        var main = (1...80).map { marks[$0]! }
        var side = (101...116).map { marks[$0]! }
        let hotfix = (201...210).map { marks[$0]! }
        var tagsOfCommits = try git.run([
            "--git-dir=" + repository, "for-each-ref", "--sort=refname", "--format=%(objectname)", "refs/tags",
        ])
        .split(separator: "\n").map(String.init)

        // 2. Tags of tags, trees and blobs, made with mktag and packed by pack-objects.
        let tree = { (commit: String) throws -> String in try git.run(["--git-dir=" + repository, "rev-parse", commit + "^{tree}"]) }
        let blob = { (commit: String, path: String) throws -> String in
            try git.run(["--git-dir=" + repository, "rev-parse", commit + ":" + path])
        }
        func mktag(_ object: String, _ type: String, _ name: String) throws -> String {
            time += 60
            let text = "object \(object)\ntype \(type)\ntag \(name)\ntagger Gen <gen@example.test> \(time) +0000\n\nTag \(name)\n"
            return try git.run(["--git-dir=" + repository, "mktag"], input: text)
        }
        var tagsOfTags: [String] = []
        var tagsOfOthers: [String] = []
        var trees = [try tree(main[9]), try tree(main[39]), try tree(side[4]), try tree(hotfix[2])]
        var blobs = [
            try blob(main[9], "file.txt"), try blob(side[2], "side.txt"), try blob(main[21], ".release-guardian"),
            try blob(hotfix[1], "fix.txt"),
        ]
        tagsOfTags.append(try mktag(tagsOfCommits[3], "tag", "t3-again"))
        tagsOfOthers.append(try mktag(trees[0], "tree", "a-tree"))
        tagsOfOthers.append(try mktag(blobs[0], "blob", "a-blob"))
        tagsOfOthers.append(try mktag(tagsOfOthers[0], "tag", "a-tree-again"))
        tagsOfCommits.append(try mktag(main[5], "commit", "packed-later"))
        try git.run(
            ["--git-dir=" + repository, "pack-objects", "-q", repository + "/objects/pack/pack"],
            input: (tagsOfTags + tagsOfOthers + [tagsOfCommits.last!]).joined(separator: "\n") + "\n")
        try git.run(["--git-dir=" + repository, "prune-packed"])

        // 3. Loose objects: commits that continue main and side, tags of them and of packed
        //    objects, a tree and a blob written by hand.
        func commitTree(_ parent: String, _ message: String) throws -> String {
            try git.run(["--git-dir=" + repository, "commit-tree", try tree(parent), "-p", parent, "-m", message])
        }
        for number in 1...6 { main.append(try commitTree(main.last!, "main loose \(number)")) }
        for number in 1...2 { side.append(try commitTree(side.last!, "side loose \(number)")) }
        let looseBlob = try git.run(["--git-dir=" + repository, "hash-object", "-w", "--stdin"], input: "loose blob\n")
        blobs.append(looseBlob)
        let looseTree = try git.run(["--git-dir=" + repository, "mktree"], input: "100644 blob \(looseBlob)\tloose.txt\n")
        trees.append(looseTree)
        for commit in [main[81], main[84], side[17], main[79], hotfix[9], side[5], main[40]] {
            tagsOfCommits.append(try mktag(commit, "commit", "loose-\(commit.prefix(6))"))
        }
        tagsOfTags.append(try mktag(tagsOfCommits[10], "tag", "of-packed-tag"))
        tagsOfTags.append(try mktag(tagsOfCommits[tagsOfCommits.count - 1], "tag", "of-loose-tag"))
        tagsOfTags.append(try mktag(tagsOfTags[tagsOfTags.count - 1], "tag", "three-deep"))
        tagsOfOthers.append(try mktag(looseTree, "tree", "loose-tree"))
        tagsOfOthers.append(try mktag(looseBlob, "blob", "loose-blob"))
        tagsOfOthers.append(try mktag(trees[1], "tree", "packed-tree"))
        tagsOfOthers.append(try mktag(tagsOfOthers[1], "tag", "of-packed-blob-tag"))

        (mainLine, sideLine, maintenanceLine) = (main, side, hotfix)
        (self.tagsOfCommits, self.tagsOfTags, self.tagsOfOthers, self.trees, self.blobs) = (
            tagsOfCommits, tagsOfTags, tagsOfOthers, trees, blobs
        )
        commits = main + side + hotfix
        tags = tagsOfCommits + tagsOfTags + tagsOfOthers
        allObjects = commits + tags + trees + blobs
        missing = ["1234567890abcdef1234567890abcdef12345678", "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef"]

        // 4. What each object is and peels to, as git says.
        let all = main + side + hotfix + tagsOfCommits + tagsOfTags + tagsOfOthers + trees + blobs
        let checks = try git.run(
            ["--git-dir=" + repository, "cat-file", "--batch-check=%(objectname) %(objecttype)"],
            input: all.map { "\($0)\n\($0)^{}\n" }.joined()
        ).split(separator: "\n")
        var kinds: [String: String] = [:]
        var peeled: [String: String] = [:]
        for (index, id) in all.enumerated() {
            let own = checks[2 * index].split(separator: " ")
            let peel = checks[2 * index + 1].split(separator: " ")
            kinds[id] = String(own[1])
            peeled[id] = String(peel[0])
        }
        (self.kinds, self.peeled) = (kinds, peeled)
        buildSeconds = Date().timeIntervalSince(started)
        loose = Set(all.filter { FileManager.default.fileExists(atPath: root + "/store.git/objects/\($0.prefix(2))/\($0.dropFirst(2))") })
    }
}

/// git for the store's one-time set-up, with fixed identities and dates so that ids repeat.
private struct StoreGit {
    let root: String

    @discardableResult
    func run(_ arguments: [String], input: String = "") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var environment = ProcessInfo.processInfo.environment.filter { !HostIsolation.isHostSpecific($0.key) }
        for (key, value) in [
            "GIT_CONFIG_NOSYSTEM": "1", "HOME": root, "XDG_CONFIG_HOME": root + "/.config",
            "GIT_AUTHOR_NAME": "Gen", "GIT_AUTHOR_EMAIL": "gen@example.test", "GIT_AUTHOR_DATE": "1700000000 +0000",
            "GIT_COMMITTER_NAME": "Gen", "GIT_COMMITTER_EMAIL": "gen@example.test", "GIT_COMMITTER_DATE": "1700000000 +0000",
        ] {
            environment[key] = value
        }
        process.environment = environment
        // Through files: no pipe can fill up and block either side.
        let (inputFile, outputFile, errorFile) = (root + "/.store-stdin", root + "/.store-stdout", root + "/.store-stderr")
        _ = FileManager.default.createFile(atPath: inputFile, contents: Data(input.utf8))
        _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputFile))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
        try process.run()
        process.waitUntilExit()
        let output = try Data(contentsOf: URL(fileURLWithPath: outputFile))
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
            throw ScratchError.commandFailed("git \(arguments.joined(separator: " "))", process.terminationStatus, stderr)
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
