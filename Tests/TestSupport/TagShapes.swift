import Foundation

/// The shapes of a history's tags, and a real repository built with them: the tags in the order
/// they were made, each lightweight or annotated, with its dates and the branch its commit is on.
///
/// The shapes of three real public histories are in `RealHistories/*.tags`, read from each
/// project's repository by `RealHistories/extract-tag-shapes.py` (tag names, kinds, dates and
/// branches: no file, message or author). Generated tests make their own.
public struct TagShapes: Sendable {
    /// Where a tag's commit is.
    public enum Placement: Sendable, Equatable {
        /// A new commit on this branch (`main`, or a branch of `branches`).
        case branch(String)
        /// A new commit on no branch, as a deleted branch leaves it (its parent is main's tip).
        case noBranch
        /// The commit of a tag listed before.
        case commitOf(String)
    }

    public struct Tag: Sendable {
        public let name: String
        public let annotated: Bool
        /// When the tag was made (tagger date, or its commit's date), in seconds.
        public let made: Int64
        /// Its commit's date.
        public let committed: Int64
        public let placement: Placement

        public init(_ name: String, annotated: Bool = false, made: Int64, committed: Int64? = nil, placement: Placement = .branch("main")) {
            self.name = name
            self.annotated = annotated
            self.made = made
            self.committed = committed ?? made
            self.placement = placement
        }
    }

    /// The branches other than main, each starting at a tag's commit.
    public var branches: [(name: String, from: String)]
    /// In the order they were made.
    public var tags: [Tag]

    public init(tags: [Tag], branches: [(name: String, from: String)] = []) {
        self.tags = tags
        self.branches = branches
    }

    /// The real histories of issue 12.
    public enum Project: String, CaseIterable, Sendable {
        /// googleapis/release-please: 366 lightweight tags, three hotfixes on `12.x`.
        case releasePlease = "release-please"
        /// googleapis/gax-nodejs: 225 lightweight tags, a monorepo (component tags), hotfixes on
        /// `1.15.x`, `release_2_x`, `release-2.30.5` and `fix-proto`, pre-releases on no branch.
        case gaxNodejs = "gax-nodejs"
        /// release-drafter/release-drafter: 75 tags, mostly annotated; floating `v5`, `v6`, `v7`.
        case releaseDrafter = "release-drafter"
    }

    /// The shapes of a real project's tags, from `RealHistories/<project>.tags`.
    public init(_ project: Project) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "RealHistories/\(project.rawValue).tags"
        ).path
        try self.init(parsing: String(contentsOfFile: path, encoding: .utf8), source: path)
    }

    /// `branch NAME from TAG` and `TAG KIND MADE COMMITTED ON` lines (see a `.tags` file's header).
    public init(parsing text: String, source: String) throws {
        var branches: [(name: String, from: String)] = []
        var tags: [Tag] = []
        for (number, line) in text.split(separator: "\n").enumerated() where !line.hasPrefix("#") {
            let fields = line.split(separator: " ").map(String.init)
            if fields.count == 4, fields[0] == "branch", fields[2] == "from" {
                branches.append((fields[1], fields[3]))
                continue
            }
            guard fields.count == 5, ["a", "l"].contains(fields[1]), let made = Int64(fields[2]), let committed = Int64(fields[3]) else {
                throw TagShapesError.malformed(source: source, line: number + 1, text: String(line))
            }
            let on = fields[4]
            let placement: Placement =
                on == "-" ? .noBranch : on.hasPrefix("=") ? .commitOf(String(on.dropFirst())) : .branch(on)
            tags.append(Tag(fields[0], annotated: fields[1] == "a", made: made, committed: committed, placement: placement))
        }
        self.init(tags: tags, branches: branches)
    }

    /// Builds a bare repository at `path` with these tags, in one `git fast-import`: each tag's
    /// commit (one file naming the tag) on its branch at its date, then the tag, lightweight or
    /// annotated as it was; HEAD on main.
    public func buildBareRepository(at path: String, scratch: Scratch) throws {
        try scratch.git("init", "-q", "--bare", "-b", "main", path, in: scratch.root)
        try scratch.git("fast-import", "--quiet", in: path, input: fastImportStream())
        // The commits of no branch were written on refs/detached/…: only their tags keep them.
        let detached = try scratch.git("for-each-ref", "--format=delete %(refname)", "refs/detached/", in: path)
        if !detached.isEmpty { try scratch.git("update-ref", "--stdin", in: path, input: detached + "\n") }
    }

    func fastImportStream() throws -> String {
        var stream = ""
        var mark = 0
        var commitOfTag: [String: Int] = [:]
        var tipOf: [String: Int] = [:]
        let forks = Dictionary(branches.map { ($0.name, $0.from) }, uniquingKeysWith: { first, _ in first })
        func data(_ text: String) -> String { "data \(text.utf8.count)\n\(text)\n" }
        for tag in tags {
            let commit: Int
            switch tag.placement {
            case .commitOf(let other):
                guard let known = commitOfTag[other] else { throw TagShapesError.unknownTag(other, before: tag.name) }
                commit = known
            case .branch, .noBranch:
                mark += 1
                commit = mark
                var ref = "refs/detached/\(mark)"
                var parent = tipOf["main"]
                if case .branch(let branch) = tag.placement {
                    ref = "refs/heads/" + branch
                    if let tip = tipOf[branch] {
                        parent = tip
                    } else if branch != "main" {
                        guard let from = forks[branch], let start = commitOfTag[from] else { throw TagShapesError.unknownBranch(branch) }
                        parent = start
                    }
                    tipOf[branch] = commit
                }
                stream += "commit \(ref)\nmark :\(commit)\ncommitter Release Bot <bot@example.test> \(tag.committed) +0000\n"
                stream += data("Release \(tag.name)")
                if let parent { stream += "from :\(parent)\n" }
                stream += "M 100644 inline RELEASE\n" + data(tag.name) + "\n"
            }
            commitOfTag[tag.name] = commit
            if tag.annotated {
                stream +=
                    "tag \(tag.name)\nfrom :\(commit)\ntagger Release Bot <bot@example.test> \(tag.made) +0000\n"
                    + data("Release \(tag.name)")
            } else {
                stream += "reset refs/tags/\(tag.name)\nfrom :\(commit)\n\n"
            }
        }
        // Branches with no tag of their own start where they started.
        for (branch, from) in branches where tipOf[branch] == nil {
            guard let start = commitOfTag[from] else { throw TagShapesError.unknownBranch(branch) }
            stream += "reset refs/heads/\(branch)\nfrom :\(start)\n\n"
        }
        return stream
    }
}

public enum TagShapesError: Error, CustomStringConvertible {
    case malformed(source: String, line: Int, text: String)
    case unknownTag(String, before: String)
    case unknownBranch(String)

    public var description: String {
        switch self {
        case .malformed(let source, let line, let text): "\(source):\(line): not a tag or branch line: \(text)"
        case .unknownTag(let tag, let before): "\(before) is on the commit of \(tag), which is not listed before it"
        case .unknownBranch(let branch): "the branch \(branch) is not declared (`branch NAME from TAG`, TAG listed before its first tag)"
        }
    }
}
