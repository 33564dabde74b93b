import Glibc

/// A glob on the paths of a tree, as git's `:(glob)` pathspec reads one: matched one path
/// component at a time, so `*`, `?` and `[...]` never cross a `/` (each component goes through
/// fnmatch(3), flags 0: a leading dot is matched like any other character, case counts); a
/// component that is exactly `**` matches any number of directories (`**/x`, `a/**/x`), and a
/// trailing `/**` everything below. `*/migrations/0*.py` matches `app/migrations/0001_initial.py`
/// and not `src/app/migrations/0001_initial.py` (`**/migrations/0*.py` matches both).
///
/// Matching runs as a small automaton over the components, so a tree walk can ask, directory by
/// directory, whether anything below can still match and leave the rest of the tree unread.
public struct PathGlob: Equatable, Sendable, CustomStringConvertible {
    public let pattern: String
    let components: [String]

    /// Nil for a pattern that names no path of a tree: empty, absolute, or with an empty, `.` or
    /// `..` component.
    public init?(_ pattern: String) {
        let components = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !pattern.isEmpty, !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return nil }
        self.pattern = pattern
        self.components = components
    }

    public var description: String { pattern }

    /// Where the automaton may stand before the first component.
    var start: Set<Int> { closure([0]) }

    /// Where it may stand after `component`; empty when nothing below can match.
    func advance(_ states: Set<Int>, over component: String) -> Set<Int> {
        var next: Set<Int> = []
        for state in states where state < components.count {
            if components[state] == "**" {
                // One more directory inside the `**`, which may go on or end here.
                next.insert(state)
                next.insert(state + 1)
            } else if fnmatch(components[state], component, 0) == 0 {
                next.insert(state + 1)
            }
        }
        return closure(next)
    }

    /// A `**` may match no directory at all (`**/x` matches `x`), except a trailing one: `a/**`
    /// matches what is inside `a`, not `a` itself.
    private func closure(_ states: Set<Int>) -> Set<Int> {
        var result = states
        var pending = Array(states)
        while let state = pending.popLast() {
            if state < components.count - 1, components[state] == "**", result.insert(state + 1).inserted {
                pending.append(state + 1)
            }
        }
        return result
    }

    /// Whether a file at these states is matched (every component consumed).
    func accepts(_ states: Set<Int>) -> Bool { states.contains(components.count) }

    /// Whether a directory at these states may hold a match.
    func mayDescend(_ states: Set<Int>) -> Bool { states.contains { $0 < components.count } }

    /// Whether `path` (components separated by `/`, no leading `/`) matches.
    public func matches(_ path: String) -> Bool {
        var states = start
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            states = advance(states, over: String(component))
            if states.isEmpty { return false }
        }
        return accepts(states)
    }
}
