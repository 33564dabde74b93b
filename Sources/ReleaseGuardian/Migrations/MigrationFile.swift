import Git

/// Why a migration file says nothing we can rely on.
public enum MigrationFileProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// Its bytes were not read: larger than the limit, a symbolic link, missing from the clone.
    case unread(String)
    /// Not Python we can tokenize (not UTF-8, a string or bracket left open).
    case notPython(String)
    /// Read, but a value it must declare is missing or not a literal.
    case notLiteral(String)

    public var description: String {
        switch self {
        case .unread(let detail), .notPython(let detail), .notLiteral(let detail): detail
        }
    }
}

/// A migration file of a commit's tree, read within a size limit.
struct MigrationFile {
    let path: String
    let content: Result<PythonSource, MigrationFileProblem>

    /// The file's base name without `.py`: a Django migration's name.
    var stem: String { Self.stem(of: path) }

    static func stem(of path: String) -> String {
        let name = String(path.split(separator: "/").last ?? "")
        return name.hasSuffix(".py") ? String(name.dropLast(3)) : name
    }

    /// Reads `file` from `repository`; a blob over `limit` bytes is left unread (only its size
    /// is looked at), as are symbolic links and objects the clone lacks.
    static func read(_ file: Repository.TreeFile, in repository: Repository, limit: Int) -> MigrationFile {
        if file.isSymbolicLink {
            return MigrationFile(path: file.path, content: .failure(.unread("\(file.path) is a symbolic link; its target is not read")))
        }
        let bytes: [UInt8]
        do {
            switch try repository.blobContent(file.blob, limit: limit) {
            case .content(let content): bytes = content
            case .tooLarge(let size):
                return MigrationFile(
                    path: file.path,
                    content: .failure(.unread("\(file.path) is \(size) bytes, more than the \(limit) read of a migration file")))
            }
        } catch {
            return MigrationFile(path: file.path, content: .failure(.unread("\(file.path) cannot be read: \(error.message)")))
        }
        do {
            return MigrationFile(path: file.path, content: .success(try PythonSource(bytes)))
        } catch {
            return MigrationFile(path: file.path, content: .failure(.notPython("\(file.path) is not Python read here (\(error))")))
        }
    }
}
