import Foundation
import GitFiles
import TestSupport
import Testing

@testable import Git

/// The advertisement this module reads off the wire (`Remote.advertisedRefs`, `heads`) is held
/// to libgit2's own listing of the same connection and to git's (`git ls-remote` over protocol
/// v0), over generated repositories served by `git daemon` and `sshd`; and a fetch shown only
/// some refs (`onlyAdvertising`) fetches what a full one does.
struct RefAdvertisementTests {
    /// One generated repository: branches and tags (annotated, lightweight, nested, non-ASCII,
    /// pointing at a tag or a tree), a symbolic or detached HEAD; enough refs in some that the
    /// advertisement spans many reads of 64 KiB.
    static func generate(_ random: inout SeededRandom, at path: String, scratch: Scratch, refCount: Int) throws {
        try scratch.git("init", "-q", "--bare", "-b", "main", path, in: scratch.root)
        guard refCount > 0 else { return }
        // One fast-import stream: eight commits on main, then the refs (marks :1…:8).
        var stream = ""
        for index in 1...8 {
            let message = "commit \(index)\n"
            stream += "commit refs/heads/main\nmark :\(index)\ncommitter T <t@example.test> \(1_700_000_000 + index) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)" + (index > 1 ? "from :\(index - 1)\n" : "")
            stream += "M 644 inline file\ndata \(message.utf8.count)\n\(message)\n"
        }
        let words = ["v1.2.3", "release", "hotfix", "déploiement", "x", "v2", "a/b/c", "1.0.x", "nightly", "ü-tag", "rc"]
        var names: Set<String> = []
        var ofTrees: [String] = []
        while names.count < refCount {
            let kind = random.pick(["heads", "tags", "tags", "tags", "custom"])
            let name = "refs/\(kind)/\(random.pick(words))-\(Int.random(in: 0..<1_000_000, using: &random))"
            guard names.insert(name).inserted else { continue }
            let mark = Int.random(in: 1...8, using: &random)
            if kind == "tags", random.chance(0.6) {
                let message = "tag \(name)\n"
                stream += "tag \(name.dropFirst("refs/tags/".count))\nfrom :\(mark)\ntagger T <t@example.test> 1700000100 +0000\n"
                stream += "data \(message.utf8.count)\n\(message)\n"
            } else if kind != "heads", ofTrees.count < 3, random.chance(0.05) {
                ofTrees.append(name)  // only a branch must point at a commit
            } else {
                stream += "reset \(name)\nfrom :\(mark)\n\n"
            }
        }
        try scratch.git("fast-import", "--quiet", in: path, input: stream)
        for name in ofTrees {
            if random.chance(0.5) {
                try scratch.git("update-ref", name, "main^{tree}", in: path)
            } else {
                try scratch.git("tag", "-a", "-m", "a tree", String(name.split(separator: "/").last!), "main^{tree}", in: path)
            }
        }
        if random.chance(0.3), let inner = names.sorted().first(where: { $0.hasPrefix("refs/tags/") }) {
            // A tag of a tag: advertised with the object it peels to.
            try scratch.git("tag", "-a", "-m", "outer", "outer-\(random.next() % 1000)", inner, in: path)
        }
        if random.chance(0.5) { try scratch.git("pack-refs", "--all", in: path) }
        if random.chance(0.2) {
            try scratch.git("update-ref", "--no-deref", "HEAD", "main~\(Int.random(in: 0..<8, using: &random))", in: path)
        }
    }

    func listings(
        _ remote: Remote, options: TransportOptions
    ) throws -> (captured: [RemoteHead], streamed: [RemoteHead], libgit2: [RemoteHead]) {
        var streamed: [RemoteHead] = []
        let captured = try remote.advertisedRefs(options: options) { name, id in
            streamed.append(RemoteHead(name: String(decoding: name, as: UTF8.self), id: id))
        }
        let libgit2 = try remote.advertisedRefs(options: options, readingItself: false).heads
        return (captured.heads, streamed, libgit2)
    }

    /// What `git ls-remote` lists over protocol v0, as `RemoteHead`s.
    func gitListing(_ url: String, scratch: Scratch, in directory: String) throws -> [RemoteHead] {
        try scratch.git("-c", "protocol.version=0", "ls-remote", url, in: directory).split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", maxSplits: 1)
            return RemoteHead(name: String(fields[1]), id: ObjectID(hex: String(fields[0]))!)
        }
    }

    @Test(arguments: 0..<4)
    func readsWhatLibgit2AndGitListOverGitDaemon(shard: UInt64) throws {
        let scratch = try Scratch()
        let work = try scratch.repository()
        let daemon = try GitDaemon(basePath: scratch.root + "/srv", scratch: scratch)
        var random = SeededRandom(seed: 0xAD7E_0001, stream: shard)
        let repository = try Repository.open(at: work)
        for index in 0..<6 {
            // Empty, small, and past several reads of 64 KiB (about 60 bytes per line).
            let refCount = index == 0 ? 0 : random.pick([1, 5, 40, 300, 2_500])
            let name = "r\(index).git"
            try Self.generate(&random, at: daemon.basePath + "/" + name, scratch: scratch, refCount: refCount)
            let remote = try Remote(daemon.url(name), in: repository)
            let (captured, streamed, libgit2) = try listings(remote, options: TransportOptions())
            #expect(captured == libgit2, "seed \(random.seed) shard \(shard) repository \(index)")
            #expect(streamed == libgit2, "seed \(random.seed) shard \(shard) repository \(index)")
            #expect(captured == (try gitListing(daemon.url(name), scratch: scratch, in: work)), "seed \(random.seed) shard \(shard)")
            #expect(refCount == 0 ? captured.isEmpty : captured.count >= refCount)
        }
    }

    @Test func readsWhatLibgit2ListsOverSSH() throws {
        let scratch = try Scratch()
        let work = try scratch.repository()
        let sshd = try SSHServer(scratch: scratch)
        let fields = try String(contentsOfFile: sshd.hostPublicKeyFile, encoding: .utf8).split(separator: " ")
        let trusted = Array(try #require(Data(base64Encoded: String(fields[1]))))
        let key = scratch.root + "/home/.ssh/id_ed25519"
        let options = TransportOptions(
            credentials: { request in
                request.allowed.contains(.sshKey)
                    ? .sshKeyFile(user: request.usernameFromURL ?? "git", privateKey: key, publicKey: key + ".pub", passphrase: nil)
                    : .username(request.usernameFromURL ?? "git")
            },
            hostKey: { $0.key == trusted ? .trusted : .refused(RemoteTests.Untrusted()) })
        var random = SeededRandom(seed: 0xAD7E_0002)
        let path = scratch.root + "/served.git"
        try Self.generate(&random, at: path, scratch: scratch, refCount: 2_000)
        let remote = try Remote(sshd.url(path), in: Repository.open(at: work))
        let (captured, streamed, libgit2) = try listings(remote, options: options)
        #expect(captured.count > 2_000)
        #expect(captured == libgit2)
        #expect(streamed == libgit2)
    }

    /// A fetch shown only the refs it names fetches what a fetch shown everything fetches, a tag
    /// that moved included (`followingTags: false`), and nothing else.
    @Test func aFetchShownOnlyItsRefsFetchesTheSame() throws {
        let scratch = try Scratch()
        let daemon = try GitDaemon(basePath: scratch.root + "/srv", scratch: scratch)
        var random = SeededRandom(seed: 0xAD7E_0003)
        let served = daemon.basePath + "/origin.git"
        try Self.generate(&random, at: served, scratch: scratch, refCount: 1_500)
        let tags = try scratch.git("for-each-ref", "--format=%(refname)", "refs/tags", in: served).split(separator: "\n").map(String.init)
        let picked = Array(tags.shuffled(using: &random).prefix(20)) + ["refs/heads/main"]
        let refspecs = picked.map { "+\($0):\($0.replacingOccurrences(of: "refs/heads/", with: "refs/remotes/origin/"))" }
        var results: [String] = []
        for shown in [nil, Set(picked)] {
            let work = try scratch.repository("work-\(results.count)")
            try scratch.git("remote", "add", "origin", daemon.url("origin.git"), in: work)
            // A tag this clone has elsewhere: the fetch moves it.
            let moved = picked[0]
            try scratch.git("fetch", "-q", "--no-tags", "origin", "refs/heads/main", in: work)
            try scratch.git("update-ref", moved, "FETCH_HEAD", in: work)
            let repository = try Repository.open(at: work)
            try Remote("origin", in: repository).fetch(refspecs, followingTags: false, onlyAdvertising: shown, options: TransportOptions())
            results.append(try scratch.git("for-each-ref", "--format=%(refname) %(objectname)", in: work))
        }
        #expect(results[0] == results[1])
        let expected = try scratch.git("for-each-ref", "--format=%(refname) %(objectname)", in: served).split(separator: "\n")
            .filter { line in picked.contains { line.hasPrefix($0 + " ") } }
            .map { $0.replacingOccurrences(of: "refs/heads/", with: "refs/remotes/origin/") }.sorted()
        #expect(results[1].split(separator: "\n").map(String.init).sorted() == expected)
    }

    /// 40 hexadecimal digits, eight at a time, against a digit-by-digit reading; anything else nil.
    @Test func parsesObjectIDsAsTheirDigitsSay() {
        var random = SeededRandom(seed: 0xAD7E_0004)
        let digits = Array("0123456789abcdefABCDEF".utf8)
        let others = Array("gG/:@`xz \0\u{7F}".utf8) + [0x80, 0xC3, 0xFF]
        for _ in 0..<20_000 {
            var text = (0..<40).map { _ in random.pick(digits) }
            if random.chance(0.3) { text[Int.random(in: 0..<40, using: &random)] = random.pick(others) }
            if random.chance(0.05) { text.removeLast() }
            let expected: [UInt8]? =
                text.count == 40 && text.allSatisfy({ digits.contains($0) })
                ? stride(from: 0, to: 40, by: 2).map { UInt8(String(decoding: text[$0..<($0 + 2)], as: UTF8.self), radix: 16)! } : nil
            let parsed = text.withUnsafeBufferPointer { ObjectID(hexBytes: $0) }
            #expect(parsed?.bytes == expected, "\(String(decoding: text, as: UTF8.self))")
        }
    }
}
