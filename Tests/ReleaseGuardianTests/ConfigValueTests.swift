import Foundation
import Glibc
import Git
import GitFiles
import TestSupport
import Testing
@testable import ReleaseGuardian

/// Configuration values read as git reads them, on the libgit2 path and on the start-up fast path.
struct ConfigValueTests {
    let scratch: Scratch
    let work: String

    init() throws {
        let world = try ReleaseWorld(.empty)
        scratch = world.scratch
        work = world.work
    }

    /// The fast path's settings; nil when it steps aside.
    func quick() throws -> Settings? {
        let environment = scratch.environment
        guard let layout = RepositoryLayout.find(from: work, environment: { environment[$0] }) else { return nil }
        return try PlainSettings.read(layout: layout, environment: { environment[$0] }).value
    }

    func full() throws -> Settings {
        try Settings.load(for: Repository.open(at: work))
    }

    /// git: `allowSkip =` is false, a bare `allowSkip` (no `=`) is true.
    @Test func readsAnEmptyValueAsFalseAndABareKeyAsTrueOnBothPaths() throws {
        for (text, expected) in [
            ("[release]\n    allowSkip =\n", false), ("[release]\n    allowSkip = \n", false),
            ("[release]\n    allowSkip\n", true), ("[release]\n    allowSkip = true\n    allowSkip =\n", false),
        ] {
            try scratch.write(text, to: work + "/.release-guardian")
            let git = try scratch.tryGit("config", "-f", ".release-guardian", "--bool", "release.allowSkip", in: work)
            #expect(git.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(expected)", "git disagrees with the test: \(text)")
            #expect(try full().allowSkip == expected, "libgit2 path: \(text)")
            #expect(try quick()?.allowSkip == expected, "fast path: \(text)")
        }
        // The repository's git config, which overrides the file, the same way.
        try scratch.write("[release]\n    allowSkip = true\n", to: work + "/.release-guardian")
        try FileHandle(forWritingTo: URL(fileURLWithPath: work + "/.git/config")).seekAndWrite(
            "[release-guardian \"release\"]\n    allowSkip =\n")
        #expect(try full().allowSkip == false)
        #expect(try quick()?.allowSkip == false)
    }

    @Test func readsACRLFSettingsFileLineByLineOnTheFastPath() throws {
        // Read as one line, the leading comment would swallow the whole policy.
        try scratch.write("# policy\r\n[release]\r\n    main = trunk\r\n    onlyVersionTags = true\r\n", to: work + "/.release-guardian")
        let slow = try full()
        #expect(slow.mainBranch == "refs/heads/trunk")
        #expect(slow.onlyVersionTags == true)
        let fast = try quick()
        #expect(fast == slow, "fast path read \(String(describing: fast))")
    }

    @Test func stepsAsideWhereGitRefusesTheSyntax() throws {
        for text in [
            "[release ]\n    allowSkip = true\n", "[release \"x\" ]\n    a = b\n", "[release]\n    allowSkip # note\n",
            "[release]\n    k\u{00E9}y = 1\n",
        ] {
            try scratch.write(text, to: work + "/.release-guardian")
            #expect(try scratch.tryGit("config", "-f", ".release-guardian", "--list", in: work).status != 0, "git accepts \(text)")
            #expect(try quick() == nil, "the fast path accepted what git refuses: \(text)")
        }
    }
}

private extension FileHandle {
    func seekAndWrite(_ text: String) throws {
        try seekToEnd()
        try write(contentsOf: Data(text.utf8))
    }
}

/// ConfigFile against `git config -f FILE --list -z` over thousands of generated texts: where
/// ConfigFile answers, it must give git's entries exactly (names, values, bare keys).
struct ConfigFileDifferentialTests {

    static let headers = [
        "[release]", "[Release]", "[release \"sub\"]", "[release \"Sub Section\"]", "[release\t\"x\"]", "[release] # c",
        "[environment \"prod\"]", "[RELEASE]", "[release ]", "[ release]", "[release \"a\\\"b\"]", "[release.sub]", "[]", "[release",
        "[re lease]", "[release \"x\" ]", "[release] allowSkip = true", "[r\u{00E9}]", "[-x]", "[1a]", "[release \"\"]",
        "[release \"x\"y]", "[release \"caf\u{00E9}\"]", "[release];c", "[release]\t", "[ \"x\"]",
        "[release  \"x\"]", "[release \"x]", "[release \"x\\\\y\"]", "[a-b]", "[a_b]",
        "[include]", "[Include]", "[includeIf \"gitdir:/tmp/\"]", "[includeif \"onbranch:main\"]", "[include \"x\"]",
        "[release]\r", "[release] ; c", "[release \"a\\tb\"]",
    ]
    static let keys = [
        "allowSkip", "AllowSkip", "allow-skip", "a1", "main", "1a", "_a", "ke y", "k\u{00E9}y", "k.e", "-k", "k-", "K",
        "path", "Path",
    ]
    static let separators = [" = ", "=", " =", "= ", "\t=\t", "  =", "", " ", "\t", " : "]
    static let values = [
        "", "true", "false", "spaced  value", "a\tb", "caf\u{00E9}", "yes", "\"quoted\"", "\"a;b\"", "a;b", "a # c", "a\\\\b", "a\\tb",
        "a\\", "\"unterminated", "x=y", "\u{200B}", "#", ";", "\"\"", " lead", "trail ", "a\"b\"c",
        "refs/heads/main", "prod-interface master", "a\u{000B}b", "a\u{000C}b", "\\n", "\"a\\\"b\"", "v1.2.3",
        "other.config", "~/x.config", "/dev/null", "\"a\\tb\"", "a\\bb", "\" spaced \"", "a \\", "\"\\\\\"", "on", "0",
    ]
    static let trailers = ["", " # comment", " ; c", "\t", " ", "#", " \"", "\t;x"]
    static let endings = ["\n", "\n", "\n", "\r\n", "\r\n", "\r", ""]
    static let indents = ["", "", "    ", "\t", " \t "]
    static let others = ["# comment", "; comment", "", "   ", "  # indented", "\t", "\u{FEFF}[release]", "\r"]

    /// Each list's first `plain` entries are what ConfigFile reads; the rest are tricky. A text
    /// takes a tricky piece now and then, so that both sides of "answers or steps aside" come up.
    static func pick(_ list: [String], plain: Int, _ random: inout SeededRandom) -> String {
        Int.random(in: 0..<8, using: &random) == 0 ? list.randomElement(using: &random)! : list[Int.random(in: 0..<plain, using: &random)]
    }

    static func text(_ random: inout SeededRandom) -> String {
        var lines: [String] = []
        if Int.random(in: 0..<4, using: &random) > 0 { lines.append(pick(headers, plain: 7, &random)) }
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: lines.append(pick(headers, plain: 7, &random))
            case 1: lines.append(pick(others, plain: 5, &random))
            default:
                let indent = pick(indents, plain: 5, &random)
                let key = pick(keys, plain: 5, &random)
                let separator = pick(separators, plain: 9, &random)
                let value = separator.contains("=") ? pick(values, plain: 6, &random) : ""
                lines.append(indent + key + separator + value + pick(trailers, plain: 5, &random))
            }
        }
        var text = ""
        for line in lines { text += line + pick(endings, plain: 5, &random) }
        return text
    }

    /// `name\nvalue\0` per entry, `name\0` for a bare key; nil when git refuses the text.
    static func gitEntries(_ text: String, in scratch: Scratch) throws -> [(name: String, value: String?)]? {
        let path = scratch.root + "/config-under-test"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        guard let output = spawnGit(["config", "-f", path, "--list", "-z"], environment: scratch.environment) else { return nil }
        return output.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map { record in
            guard let newline = record.firstIndex(of: "\n") else { return (String(record), nil) }
            return (String(record[..<newline]), String(record[record.index(after: newline)...]))
        }
    }

    /// git's stdout, or nil when it fails.
    static func spawnGit(_ arguments: [String], environment: [String: String]) -> String? {
        let result = TestSupport.spawnGit(arguments, environment: environment, mergingStderr: false)
        return result.status == 0 ? result.output : nil
    }

    /// Where ConfigFile answers, git reads the same entries; where git refuses a text (an
    /// invalid header such as `[release ]`, `key # comment`, an unterminated quote), ConfigFile
    /// steps aside. Texts with includes, quotes, escapes, CRLF and empty values (`allowSkip =`,
    /// false to git) come up among them.
    @Test func agreesWithGitConfigOnGeneratedTexts() throws {
        let started = Date()
        let scratch = try Scratch()
        let count = Int(ProcessInfo.processInfo.environment["PLAIN_CONFIG_CASES"] ?? "") ?? 1500
        var random = SeededRandom(seed: 20_261_121)
        var answered = 0
        var refusedByGit = 0
        var steppedAsideForIncludes = 0
        var emptyValues = 0
        var crlf = 0
        var failures = 0
        for _ in 0..<count {
            let text = Self.text(&random)
            let git = try Self.gitEntries(text, in: scratch)
            if git == nil { refusedByGit += 1 }
            guard case .known(let plain) = ConfigFile.parse(text) else {
                if git?.contains(where: { $0.name.hasPrefix("include") }) == true { steppedAsideForIncludes += 1 }
                continue
            }
            answered += 1
            if plain.contains(where: { $0.value == "" }) { emptyValues += 1 }
            if text.contains("\r\n") { crlf += 1 }
            let mine = plain.map { ($0.name, $0.value as String?) }
            let agree =
                git.map { git in git.count == mine.count && zip(git, mine).allSatisfy { $0.name == $1.0 && $0.value == $1.1 } } ?? false
            if !agree {
                failures += 1
                if failures <= 10 {
                    Issue.record(
                        "seed \(random.seed): ConfigFile disagrees with git on \(text.debugDescription): git \(git.map { "\($0)" } ?? "refuses it"), ConfigFile \(mine)"
                    )
                }
            }
        }
        print(
            "ConfigFileDifferentialTests: seed \(random.seed), \(count) texts in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; ConfigFile answered \(answered) (\(emptyValues) with an empty value, \(crlf) with CRLF), git refused \(refusedByGit) (ConfigFile stepped aside from each), \(steppedAsideForIncludes) with includes left to git"
        )
        #expect(failures == 0, "seed \(random.seed): \(failures) disagreements")
        // The generator must exercise both sides: texts ConfigFile reads, and texts it leaves.
        #expect(answered > count / 4, "ConfigFile answered only \(answered) of \(count)")
        #expect(answered < count, "ConfigFile answered everything")
        #expect(
            refusedByGit > count / 10 && steppedAsideForIncludes > 0 && emptyValues > 10 && crlf > 10,
            "refused \(refusedByGit), includes \(steppedAsideForIncludes), empty values \(emptyValues), CRLF \(crlf)")
    }
}
