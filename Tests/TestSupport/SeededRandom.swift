import Foundation

/// A small, fast, seeded generator (SplitMix64) for generated tests: the same seed gives the same
/// inputs on every machine, so a failure can be replayed. `RELEASE_GUARDIAN_TEST_SEED` overrides
/// the seed a test chose, to explore further.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        HostIsolation.apply()  // the environment is read after the isolation changed it, never while
        let override = ProcessInfo.processInfo.environment["RELEASE_GUARDIAN_TEST_SEED"].flatMap { UInt64($0) }
        self.seed = override ?? seed
        state = self.seed
    }

    /// One of several independent streams of a seed (the shards of a test that runs in parallel):
    /// `RELEASE_GUARDIAN_TEST_SEED` overrides the seed, each stream stays its own.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed)
        state = self.seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }

    public mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int.random(in: 0..<choices.count, using: &self)]
    }

    /// `text` with 1…`count` characters replaced, inserted or deleted, new ones taken from `pool`.
    public mutating func mutate(_ text: String, count: Int, pool: [Character]) -> String {
        var characters = Array(text)
        for _ in 0..<Int.random(in: 1...max(1, count), using: &self) {
            let index = characters.isEmpty ? 0 : Int.random(in: 0..<characters.count, using: &self)
            switch Int.random(in: 0..<3, using: &self) {
            case 0 where !characters.isEmpty: characters[index] = pick(pool)
            case 1: characters.insert(pick(pool), at: index)
            default: if !characters.isEmpty { characters.remove(at: index) }
            }
        }
        return String(characters)
    }
}

/// Random input for git's `pre-push` and `pre-receive` hooks: mostly well-formed lines about the
/// objects and refs of a real repository, the rest bent in the ways a broken caller or an
/// attacker would bend them.
public struct HookInputGenerator: Sendable {
    let objects: [String]
    let junkObjects: [String]
    let refs: [String]
    let junkRefs: [String]

    /// `objects`: ids that exist in the repository (commits, tags, trees, blobs); `refs`: ref names
    /// worth pushing there. Zero ids, malformed ids and refs are added here.
    public init(objects: [String], refs: [String]) {
        let zero = String(repeating: "0", count: 40)
        self.objects =
            objects + [zero, zero, zero, String(repeating: "0", count: 64), objects[0].uppercased(), String(repeating: "f", count: 40)]
        junkObjects = [
            String(repeating: "ab", count: 32), String(objects[0].dropLast()), String(objects[0].dropLast()) + "g", "", "(delete)", "HEAD",
        ]
        self.refs =
            refs + [
                "refs/heads/main", "refs/tags/v1.0.0", "refs/tags/v1.1.0", "refs/tags/v1.2.0", "refs/tags/v2.0.0",
                "refs/tags/V1.1.0", "refs/tags/v1.1", "refs/tags/1.1.0", "refs/tags/v01.1.0", "refs/tags/v1.1.0+b",
                "refs/tags/v1.1.0-rc.1", "refs/tags/nightly", "refs/heads/feature/x", "refs/heads/release/v1.0.0",
                "refs/heads/release/v9.9.9", "refs/tags/ｖ1.1.0", "refs/tags/v1.1.0\u{200B}", "refs/heads/@{x}",
            ]
        junkRefs = ["refs/tags/v1..0", "refs/heads/a b", "refs/heads/x.lock", "refs/tags/\u{7F}", "main", "refs/", ""]
    }

    private static let junk: [Character] = [
        " ", "\t", "\n", "\r", "0", "a", "f", "g", "-", "/", ".", "(", ")", "\u{0}", "é", "\u{FEFF}", "v",
    ]

    private func object(_ random: inout SeededRandom) -> String {
        random.chance(0.9) ? random.pick(objects) : random.pick(junkObjects)
    }

    private func ref(_ random: inout SeededRandom) -> String {
        random.chance(0.9) ? random.pick(refs) : random.pick(junkRefs)
    }

    /// Up to 5 lines of `pre-push` input (`<local ref> <local id> <remote ref> <remote id>`).
    public func prePush(using random: inout SeededRandom) -> String {
        lines(using: &random) { random in
            let newID = object(&random)
            let deletion = newID.allSatisfy { $0 == "0" } ? random.chance(0.9) : random.chance(0.02)
            let local = deletion ? "(delete)" : random.pick(["HEAD", "refs/heads/main", "refs/tags/v1.1.0"])
            return [local, newID, ref(&random), object(&random)]
        }
    }

    /// Up to 5 lines of `pre-receive` input (`<old id> <new id> <ref>`).
    public func preReceive(using random: inout SeededRandom) -> String {
        lines(using: &random) { random in [object(&random), object(&random), ref(&random)] }
    }

    private func lines(using random: inout SeededRandom, _ fields: (inout SeededRandom) -> [String]) -> String {
        var text = ""
        for _ in 0..<random.pick([0, 1, 1, 1, 2, 2, 3, 5]) {
            var line = fields(&random)
            if random.chance(0.03) { line.removeLast() }
            if random.chance(0.03) { line.append(object(&random)) }
            text += line.joined(separator: random.chance(0.97) ? " " : random.pick(["  ", "\t"]))
            text += random.chance(0.9) ? "\n" : random.pick(["\r\n", "\n\n", ""])
        }
        return random.chance(0.1) ? random.mutate(text, count: 3, pool: Self.junk) : text
    }
}
