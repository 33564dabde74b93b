import Git
import GitFiles

/// The values of this repository's refs under a few prefixes, for looking many names up: a
/// remote's whole advertisement (100k tags) against our refs, with no `String` and no dictionary
/// entry per ref. Packed refs are read in place through a cursor (`PackedRefs.Cursor`: the
/// advertisement comes sorted, as packed-refs is); loose refs, which override them and are few,
/// are read first, each as `RepositoryReader.target(ofReference:)` reads it. Where the files
/// cannot serve (a layout they do not know, an unsorted packed-refs), every value is read into
/// a dictionary first, as `RepositoryReader.referenceValues(under:)` does.
public struct ReferenceValues {
    /// Loose refs; every ref when there is no cursor.
    private var byName: [[UInt8]: ObjectID]
    /// The prefixes under which `byName` has refs: a name under no other is not hashed.
    private var byNamePrefixes: [[UInt8]]
    private var cursor: PackedRefs.Cursor?
    private let files: RepositoryFiles?

    init(byName: [[UInt8]: ObjectID], prefixes: [String], cursor: PackedRefs.Cursor?, files: RepositoryFiles?) {
        self.byName = byName
        byNamePrefixes = prefixes.map { Array($0.utf8) }.filter { prefix in byName.keys.contains { $0.starts(with: prefix) } }
        self.cursor = cursor
        self.files = files
    }

    /// The value of `name`, a full name under one of the prefixes asked for.
    public mutating func value(of name: UnsafeBufferPointer<UInt8>) throws(ReadError) -> ObjectID? {
        if !byNamePrefixes.isEmpty, byNamePrefixes.contains(where: { name.starts(with: $0) }), let id = byName[Array(name)] { return id }
        guard cursor != nil else { return nil }
        do { return try cursor!.record(named: name)?.id } catch { throw .refFiles(error) }
    }

    public mutating func value(of name: String) throws(ReadError) -> ObjectID? {
        var name = name
        var result: Result<ObjectID?, ReadError> = .success(nil)
        name.withUTF8 { bytes in result = Result { () throws(ReadError) in try value(of: bytes) } }
        return try result.get()
    }

    /// The names of the refs under `prefix` (one of the prefixes asked for), packed or loose.
    public func names(under prefix: String) throws(ReadError) -> Set<String> {
        var names = Set(byName.keys.lazy.filter { $0.starts(with: prefix.utf8) }.map { String(decoding: $0, as: UTF8.self) })
        guard cursor != nil, let files else { return names }
        do {
            guard case .known(let packed) = try files.packedReferenceNames(under: prefix) else { return names }
            names.formUnion(packed)
        } catch {
            throw .refFiles(error)
        }
        return names
    }

    /// Calls `body` with the values of the refs under `prefixes` in `reader`'s repository.
    static func read<T>(
        under prefixes: [String], in reader: RepositoryReader, _ body: (inout ReferenceValues) throws(ReadError) -> T
    ) throws(ReadError) -> T {
        if let files = reader.files {
            var loose: [[UInt8]: ObjectID] = [:]
            for prefix in prefixes {
                let names: [String]
                do { names = try files.looseReferenceNames(under: prefix) } catch { throw .refFiles(error) }
                for name in names {
                    if let id = try reader.target(ofReference: name) { loose[Array(name.utf8)] = id }
                }
            }
            var result: Result<T, ReadError>?
            let answer: Answer<Void>
            do {
                answer = try files.withPackedRefsCursor { cursor throws(RefFilesError) in
                    var values = ReferenceValues(byName: loose, prefixes: prefixes, cursor: cursor, files: files)
                    result = Result { () throws(ReadError) in try body(&values) }
                }
            } catch {
                throw .refFiles(error)
            }
            if case .known = answer { return try result!.get() }
        }
        // Without a cursor: every value, by name.
        var all: [[UInt8]: ObjectID] = [:]
        for prefix in prefixes {
            for (name, id) in try reader.referenceValues(under: prefix) { all[Array(name.utf8)] = id }
        }
        var values = ReferenceValues(byName: all, prefixes: prefixes, cursor: nil, files: nil)
        return try body(&values)
    }
}

extension RepositoryReader {
    /// Calls `body` with the values of the refs under `prefixes` (`ReferenceValues`).
    public func withReferenceValues<T>(
        under prefixes: [String], _ body: (inout ReferenceValues) throws(ReadError) -> T
    ) throws(ReadError) -> T {
        try ReferenceValues.read(under: prefixes, in: self, body)
    }
}
