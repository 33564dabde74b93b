import ArgumentParser

/// A mistyped command (`instal`) answered with the nearest one, as git does, before
/// ArgumentParser, which would only say "unexpected argument".
enum CommandSuggestion {
    /// The usage error for the first word that names no command where a command is expected;
    /// nil when each does, or when a flag comes first (ArgumentParser's to judge).
    static func unknownCommand(in arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [root._commandName]
        for argument in arguments {
            let configuration = command.configuration
            // `help` is ArgumentParser's own command, at the top only.
            guard !configuration.subcommands.isEmpty, configuration.defaultSubcommand == nil, !argument.hasPrefix("-"),
                argument != "help" || path.count > 1
            else { return nil }
            if let next = configuration.subcommands.first(where: {
                $0._commandName == argument || $0.configuration.aliases.contains(argument)
            }) {
                command = next
                path.append(argument)
                continue
            }
            let names = configuration.subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }
            let nearest = nearest(to: argument, among: names)
            let suggestion =
                switch nearest.count {
                case 0: ""
                case 1: " Did you mean '\(nearest[0])'?"
                default: " Did you mean one of: \(nearest.map { "'\($0)'" }.joined(separator: ", "))?"
                }
            return "'\(argument)' is not a \(path.joined(separator: " ")) command.\(suggestion)\n"
                + "Commands: \(names.joined(separator: ", ")) (see '\(path.joined(separator: " ")) --help')."
        }
        return nil
    }

    /// The names within two edits (a transposition is one) of `word`, the nearest first, or
    /// that start with it (`hist` → `history`).
    static func nearest(to word: String, among names: [String]) -> [String] {
        let scored = names.map { (name: $0, distance: distance(word, $0)) }
        let best = scored.map(\.distance).min() ?? .max
        if best <= min(2, max(1, word.count / 3)) {
            return scored.filter { $0.distance == best }.map(\.name)
        }
        return word.count >= 3 ? names.filter { $0.hasPrefix(word) } : []
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions each count one.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
                }
            }
        }
        return rows[a.count][b.count]
    }
}
