import Git

/// `history`: the deployment ledger read back, one record per deployment, newest first.
///
/// It reads this clone's ledger and the copy of the source remote's last fetched by a
/// `revert-to` (every rollback fetches it before adding to it); a record that cannot be read is
/// skipped, never fatal.
public enum History {
    /// The deployments of `environment` (all when nil), newest first, at most `limit`.
    public static func deployments(from directory: String, environment: String?, limit: Int) throws(HistoryError) -> [LedgerRecord] {
        guard limit > 0 else { throw .invalidLimit(limit) }
        let repository: Repository
        do { repository = try Repository.discover(from: directory) } catch { throw .repository(.git(error)) }
        let ledger = Ledger(repository: repository, transport: TransportOptions(), sourceRemote: "origin")
        let records: [LedgerRecord]
        // An intent and its outcome are two commits: read enough of them for `limit` deployments.
        do { records = try ledger.records(limit: max(limit * 2, 500)) } catch { throw .repository(.git(error)) }
        let all = Ledger.deployments(records)
        return Array(all.filter { environment == nil || $0.environment == environment }.prefix(limit))
    }

    /// The records as a JSON array (what `JSONEncoder` writes, without its cost: 10,000 records
    /// in milliseconds).
    public static func json(_ records: [LedgerRecord]) -> String {
        LedgerJSON.array(records)
    }

    /// The records as a table for people: when, environment, action, what, outcome, who, why;
    /// each column as wide as its widest cell.
    public static func table(_ records: [LedgerRecord]) -> String {
        guard !records.isEmpty else { return "No deployment recorded in the ledger (\(Ledger.ref)) yet." }
        var rows = [["when", "environment", "action", "what", "outcome", "who", "reason"]]
        for record in records {
            let what = record.tag ?? record.ref.map(RefName.short) ?? String(record.commit.prefix(7))
            rows.append(
                [record.when, record.environment, record.action, what, record.state.rawValue, record.who, record.reason ?? ""].map(oneLine))
        }
        let widths = (0..<7).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).enumerated().map { index, cell in
                index == 6 ? cell.0 : cell.0 + String(repeating: " ", count: cell.1 - cell.0.count)
            }.joined(separator: "  ").trimmingTrailingSpaces
        }.joined(separator: "\n")
    }

    /// Text from users on one line: a reason with a line break must not forge a row.
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// Why `history` cannot read the ledger.
public enum HistoryError: Error, CustomStringConvertible {
    case invalidLimit(Int)
    case repository(ReadError)

    public var description: String {
        switch self {
        case .invalidLimit(let limit): "--limit \(limit): give a number of records of 1 or more"
        case .repository(let error): error.openingDescription
        }
    }
}
