import Foundation

/// The few statements of a Python file that migration tools read their identity from
/// (`revision = "ae1027a6acf"`, `dependencies = [("blog", "0001_initial")]`), read without
/// Python: the file is split into tokens and logical lines as Python's tokenizer does (strings,
/// triple-quoted docstrings, comments, brackets spanning lines, `\` continuations, `;`), and
/// only literal values are understood: strings, `None`, `True`/`False`, tuples and lists of them,
/// and calls (by name, arguments unread). Anything else — a value computed at import time, an
/// f-string, an escape inside a string, a binding inside an `if` or `try` that may or may not
/// run — is unreadable: not known, never guessed. Held to Python itself by
/// `MigrationParserDifferentialTests`.
///
/// Not handled, documented: f-strings that nest the same quote inside their braces (Python
/// 3.12), which end the string early here (the rest of the file then most likely fails to read).
struct PythonSource {
    struct Token: Equatable {
        enum Kind: Equatable {
            /// A name, keyword or number.
            case word
            /// A string literal; `value` is nil when it cannot be taken as is (bytes, an f-string,
            /// an escape sequence).
            case string(value: String?)
            case operator_
        }
        let kind: Kind
        let text: String
    }

    /// A logical line: its first token's column (tabs to the next multiple of 8), its tokens,
    /// its first physical line (1-based).
    struct Line {
        let indent: Int
        let tokens: [Token]
        let number: Int
    }

    /// Why a file cannot be read as Python.
    struct SyntaxError: Error, Equatable, CustomStringConvertible {
        let line: Int
        let detail: String
        var description: String { "line \(line): \(detail)" }
    }

    let lines: [Line]

    /// Reads UTF-8 source (a leading byte-order mark is skipped); throws where the file is not
    /// UTF-8 or a string or bracket is left open.
    init(_ bytes: [UInt8]) throws(SyntaxError) {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        guard let text = String(validating: bytes[start...], as: UTF8.self) else {
            throw SyntaxError(line: 1, detail: "not UTF-8 text")
        }
        // PEP 263: a `coding` comment on one of the first two lines names the file's encoding.
        for (number, line) in text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).prefix(2).enumerated() {
            guard line.drop(while: { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }).first == "#", line.contains("coding"),
                let range = line.range(of: "coding[:=][ \t]*[-\\w.]+", options: .regularExpression)
            else { continue }
            let name = line[range].dropFirst("coding".count + 1).trimmingCharacters(in: .whitespaces).lowercased()
                .replacingOccurrences(of: "_", with: "-")
            guard name == "utf-8" || name == "utf8" || name == "u8" || name.hasPrefix("utf-8-") else {
                throw SyntaxError(line: number + 1, detail: "the file declares the encoding \(name), not UTF-8")
            }
        }
        lines = try Self.logicalLines(Array(bytes[start...]))
    }

    /// Python's operators of more than one character, longest first.
    static let operators = [
        "**=", "//=", ">>=", "<<=", "...", "==", "!=", "<=", ">=", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
        "->", "**", "//", ">>", "<<",
    ]

    /// The operators that change a name in place (`name += …`).
    static let augmentedAssignments: Set<String> = ["**=", "//=", ">>=", "<<=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", ":="]

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    private static func logicalLines(_ bytes: [UInt8]) throws(SyntaxError) -> [Line] {
        var lines: [Line] = []
        var tokens: [Token] = []
        var indent = 0
        var column = 0
        var lineNumber = 1
        var firstLine = 1
        var depth = 0
        var atLineStart = true
        var index = 0
        let count = bytes.count

        func endLine() {
            if !tokens.isEmpty { lines.append(Line(indent: indent, tokens: tokens, number: firstLine)) }
            tokens = []
            atLineStart = true
            column = 0
        }
        func add(_ token: Token) {
            if tokens.isEmpty {
                indent = column
                firstLine = lineNumber
            }
            tokens.append(token)
        }

        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                // \r\n, \r and \n all end a physical line.
                if byte == UInt8(ascii: "\r"), index + 1 < count, bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
                index += 1
                lineNumber += 1
                if depth == 0 { endLine() }
                continue
            case UInt8(ascii: " "), 0x0C:
                if atLineStart && tokens.isEmpty { column += 1 }
                index += 1
                continue
            case UInt8(ascii: "\t"):
                if atLineStart && tokens.isEmpty { column = (column / 8 + 1) * 8 }
                index += 1
                continue
            case UInt8(ascii: "#"):
                while index < count, bytes[index] != UInt8(ascii: "\n"), bytes[index] != UInt8(ascii: "\r") { index += 1 }
                continue
            case UInt8(ascii: "\\"):
                // A line continuation: the next physical line goes on this logical one.
                var next = index + 1
                if next < count, bytes[next] == UInt8(ascii: "\r") { next += 1 }
                if next < count, bytes[next] == UInt8(ascii: "\n") { next += 1 }
                guard next > index + 1 else { throw SyntaxError(line: lineNumber, detail: "a backslash outside a string") }
                index = next
                lineNumber += 1
                continue
            default:
                break
            }
            atLineStart = false
            if isWordByte(byte) {
                var end = index
                while end < count, isWordByte(bytes[end]) { end += 1 }
                // A string prefix (r, u, b, f and their pairs) right before a quote.
                if end < count, bytes[end] == UInt8(ascii: "'") || bytes[end] == UInt8(ascii: "\""), end - index <= 2,
                    bytes[index..<end].allSatisfy({ "rRuUbBfF".utf8.contains($0) })
                {
                    let prefix = String(decoding: bytes[index..<end], as: UTF8.self).lowercased()
                    let (token, after, newlines) = try string(bytes, at: end, prefix: prefix, line: lineNumber)
                    add(token)
                    lineNumber += newlines
                    index = after
                    continue
                }
                add(Token(kind: .word, text: String(decoding: bytes[index..<end], as: UTF8.self)))
                index = end
                continue
            }
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                let (token, after, newlines) = try string(bytes, at: index, prefix: "", line: lineNumber)
                add(token)
                lineNumber += newlines
                index = after
                continue
            }
            // Operators and brackets, the longest first, so that a lone `=` is always an assignment.
            var end = index + 1
            for candidate in Self.operators where bytes[index...].starts(with: candidate.utf8) {
                end = index + candidate.utf8.count
                break
            }
            let text = String(decoding: bytes[index..<end], as: UTF8.self)
            switch text {
            case "(", "[", "{": depth += 1
            case ")", "]", "}":
                guard depth > 0 else { throw SyntaxError(line: lineNumber, detail: "'\(text)' closes nothing") }
                depth -= 1
            default: break
            }
            add(Token(kind: .operator_, text: text))
            index = end
        }
        guard depth == 0 else { throw SyntaxError(line: lineNumber, detail: "a bracket is left open at the end of the file") }
        endLine()
        return lines
    }

    /// The string literal whose opening quote is at `start`: the token, the index after it, and
    /// the line breaks inside it.
    private static func string(_ bytes: [UInt8], at start: Int, prefix: String, line: Int) throws(SyntaxError) -> (Token, Int, Int) {
        let quote = bytes[start]
        let triple = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
        let delimiter = triple ? 3 : 1
        var index = start + delimiter
        var newlines = 0
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                escaped = true
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { newlines += 1 }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\n")
                || (byte == UInt8(ascii: "\r") && (index + 1 >= bytes.count || bytes[index + 1] != UInt8(ascii: "\n")))
            {
                guard triple else { throw SyntaxError(line: line + newlines, detail: "a string is not closed on its line") }
                newlines += 1
            }
            if byte == quote && (!triple || (index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote)) {
                let body = bytes[(start + delimiter)..<index]
                let end = index + delimiter
                let text = String(decoding: bytes[(start - prefix.utf8.count)..<end], as: UTF8.self)
                // Only a plain or raw text string is taken as it is written.
                let isRaw = prefix.contains("r")
                let usable = !prefix.contains("b") && !prefix.contains("f") && (isRaw || !escaped)
                return (Token(kind: .string(value: usable ? String(decoding: body, as: UTF8.self) : nil), text: text), end, newlines)
            }
            index += 1
        }
        throw SyntaxError(line: line, detail: "a string is not closed")
    }
}

/// A literal value, as written in the file.
indirect enum PythonLiteral: Equatable {
    case none
    case bool(Bool)
    case string(String)
    /// A tuple or a list.
    case sequence([PythonLiteral])
    /// A call such as `migrations.swappable_dependency(settings.AUTH_USER_MODEL)`: its dotted
    /// name; the arguments are not read.
    case call(String)

    /// The literal the tokens spell, nil when they are anything else.
    init?(_ tokens: ArraySlice<PythonSource.Token>) {
        var rest = tokens
        guard let value = Self.parse(&rest), rest.isEmpty else { return nil }
        self = value
    }

    private static func parse(_ tokens: inout ArraySlice<PythonSource.Token>) -> PythonLiteral? {
        guard let first = tokens.first else { return nil }
        switch first.kind {
        case .string:
            // Adjacent strings are one ("ab" "cd").
            var text = ""
            while let token = tokens.first, case .string(let value) = token.kind {
                guard let value else { return nil }
                text += value
                tokens.removeFirst()
            }
            return .string(text)
        case .word:
            tokens.removeFirst()
            switch first.text {
            case "None": return PythonLiteral.none
            case "True": return .bool(true)
            case "False": return .bool(false)
            default: break
            }
            // A dotted name, which must be called.
            var name = first.text
            while tokens.count >= 2, tokens.first?.text == ".", case .word = tokens[tokens.startIndex + 1].kind {
                name += "." + tokens[tokens.startIndex + 1].text
                tokens.removeFirst(2)
            }
            guard tokens.first?.text == "(" else { return nil }
            var depth = 0
            while let token = tokens.popFirst() {
                if token.kind == .operator_ && ["(", "[", "{"].contains(token.text) { depth += 1 }
                if token.kind == .operator_ && [")", "]", "}"].contains(token.text) { depth -= 1 }
                if depth == 0 { return .call(name) }
            }
            return nil
        case .operator_:
            guard first.text == "(" || first.text == "[" else { return nil }
            let closing = first.text == "(" ? ")" : "]"
            tokens.removeFirst()
            var elements: [PythonLiteral] = []
            var sawComma = false
            while true {
                if tokens.first?.text == closing {
                    tokens.removeFirst()
                    // `("abc")` is the string itself; `("abc",)`, `()` and `[...]` are sequences.
                    if closing == ")" && elements.count == 1 && !sawComma { return elements[0] }
                    return .sequence(elements)
                }
                guard let element = parse(&tokens) else { return nil }
                elements.append(element)
                if tokens.first?.text == "," {
                    tokens.removeFirst()
                    sawComma = true
                } else if tokens.first?.text != closing {
                    return nil
                }
            }
        }
    }

    /// `"a"` → ["a"]; `("a", "b")` → ["a", "b"]; `None` and `()` → []; nil for anything else
    /// (alembic's `to_tuple` over the values it accepts).
    var strings: [String]? {
        switch self {
        case .none: return []
        case .string(let value): return [value]
        case .sequence(let elements):
            var result: [String] = []
            for element in elements {
                guard case .string(let value) = element else { return nil }
                result.append(value)
            }
            return result
        default: return nil
        }
    }
}

/// What a run of statements does to one name.
enum PythonAssignment: Equatable {
    /// Bound to a literal.
    case literal(PythonLiteral)
    /// Bound or changed in a way not read here (a computed value, `+=`, unpacking).
    case unreadable(line: Int)
}

extension PythonSource {
    /// A statement of a scope (the module, a class body): directly in it, or nested in one of
    /// its blocks (`if`, `try`, `for`, `with`…), whose bindings are the scope's too but may not run.
    struct Statement {
        let line: Line
        let isNested: Bool
    }

    /// The module's statements; the bodies of functions and classes, other scopes, left out.
    var moduleScope: [Statement] { Self.scope(lines[...], indent: 0) }

    /// The statements of the body of the last top-level `class NAME(...):`, nil when the file
    /// has no such class.
    func classScope(named name: String) -> [Statement]? {
        guard
            let header = lines.lastIndex(where: {
                $0.indent == 0 && $0.tokens.count >= 2 && $0.tokens[0].text == "class" && $0.tokens[1].text == name
            })
        else { return nil }
        let body = lines[(header + 1)...].prefix { $0.indent > 0 }
        guard let bodyIndent = body.first?.indent else { return [] }
        return Self.scope(body, indent: bodyIndent)
    }

    private static func scope(_ lines: ArraySlice<Line>, indent: Int) -> [Statement] {
        var statements: [Statement] = []
        var definition: Int?  // the indent of a `def` or `class` whose body is another scope
        for line in lines {
            if line.indent < indent { break }
            if let header = definition {
                if line.indent > header { continue }
                definition = nil
            }
            statements.append(Statement(line: line, isNested: line.indent > indent))
            let first = line.tokens.first?.text
            if first == "def" || first == "class" || (first == "async" && line.tokens.dropFirst().first?.text == "def") {
                definition = line.indent
            }
        }
        return statements
    }

    /// Keywords that open a compound statement, whose body may share its line.
    static let compoundKeywords: Set<String> = [
        "if", "elif", "else", "while", "for", "try", "except", "finally", "with", "async", "def", "class", "match", "case",
    ]
    /// Keywords of simple statements that bind or unbind the names they list.
    static let bindingKeywords: Set<String> = ["import", "from", "del", "global", "nonlocal"]

    /// What the last of `statements` that binds `name` binds it to; nil when none does.
    /// `name = value`, `name: annotation = value` and `a = name = value` directly in the scope
    /// bind it to a literal (or to something unreadable); anything else that may bind it —
    /// `name += …`, `name, other = …`, an assignment inside an `if` or `try`, `for name in`,
    /// `import … as name`, `(name := …)`, a compound statement that names it — is unreadable.
    /// `name: annotation` alone binds nothing.
    static func assignment(of name: String, in statements: [Statement]) -> PythonAssignment? {
        var found: PythonAssignment?
        for statement in statements {
            let line = statement.line
            guard line.tokens.contains(where: { $0.kind == .word && $0.text == name }) else { continue }
            if let first = line.tokens.first?.text, compoundKeywords.contains(first) {
                found = .unreadable(line: line.number)
                continue
            }
            // Simple statements, `;` between them.
            var parts: [ArraySlice<Token>] = []
            var depth = 0
            var start = 0
            for (index, token) in line.tokens.enumerated() where token.kind == .operator_ {
                if ["(", "[", "{"].contains(token.text) { depth += 1 }
                if [")", "]", "}"].contains(token.text) { depth -= 1 }
                if token.text == ";" && depth == 0 {
                    parts.append(line.tokens[start..<index])
                    start = index + 1
                }
            }
            parts.append(line.tokens[start...])
            for part in parts {
                guard let binding = binding(of: name, in: part, line: line.number) else { continue }
                if case .literal = binding, statement.isNested {
                    found = .unreadable(line: line.number)
                } else {
                    found = binding
                }
            }
        }
        return found
    }

    /// What one simple statement does to `name`, nil when it does not bind it.
    private static func binding(of name: String, in tokens: ArraySlice<Token>, line: Int) -> PythonAssignment? {
        let named = tokens.indices.filter { tokens[$0].kind == .word && tokens[$0].text == name }
        guard let firstName = named.first else { return nil }
        if let first = tokens.first?.text, bindingKeywords.contains(first) { return .unreadable(line: line) }
        for index in named {
            let before = index > tokens.startIndex ? tokens[index - 1].text : nil
            let after = index + 1 < tokens.endIndex ? tokens[index + 1].text : nil
            if before == "as" || after == ":=" { return .unreadable(line: line) }
        }
        // The `=` signs outside brackets split the targets from the value.
        var depth = 0
        var equals: [Int] = []
        for index in tokens.indices where tokens[index].kind == .operator_ {
            switch tokens[index].text {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth -= 1
            case "=" where depth == 0: equals.append(index)
            case let text where depth == 0 && augmentedAssignments.contains(text):
                if firstName == tokens.startIndex { return .unreadable(line: line) }
            default: break
            }
        }
        guard let last = equals.last else { return nil }
        var targetStart = tokens.startIndex
        var binds = false
        for end in equals {
            let target = tokens[targetStart..<end]
            targetStart = end + 1
            guard target.contains(where: { $0.kind == .word && $0.text == name }) else { continue }
            // `name` or `name: annotation`; anything else that names it (unpacking, an
            // attribute or item of it) is not read.
            if target.first?.text == name && (target.count == 1 || target[target.startIndex + 1].text == ":") {
                binds = true
            } else if target.first?.text == name || target.contains(where: { $0.text == "," }) {
                return .unreadable(line: line)
            }
        }
        guard binds else { return nil }
        return PythonLiteral(tokens[(last + 1)...]).map { .literal($0) } ?? .unreadable(line: line)
    }
}
