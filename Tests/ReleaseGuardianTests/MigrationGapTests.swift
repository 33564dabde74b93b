import Foundation
import Git
import TestSupport
import Testing
@testable import ReleaseGuardian

/// The gap between two commits of a real repository, read from their trees: what is listed,
/// what is told, and where the answer is "cannot tell".
struct MigrationGapTests {
    let scratch: Scratch
    let work: String

    init() throws {
        let world = try ReleaseWorld(.empty)
        scratch = world.scratch
        work = world.work
    }

    func write(_ path: String, _ text: String) throws {
        let full = work + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try scratch.write(text, to: full)
    }

    func remove(_ path: String) throws {
        try scratch.git("rm", "-q", path, in: work)
    }

    func commit(_ message: String = "step") throws -> ObjectID {
        try scratch.git("add", "-A", in: work)
        return try #require(ObjectID(hex: try scratch.commit(message, in: work)))
    }

    func gap(
        _ now: ObjectID, _ target: ObjectID, _ settings: MigrationSettings, readLimit: Int = MigrationGap.defaultReadLimit
    ) throws
        -> MigrationGap?
    {
        try MigrationGap.between(now: now, target: target, settings: settings, in: Repository.open(at: work), readLimit: readLimit)
    }

    func alembicRevision(_ id: String, down: String?) -> String {
        "revision: str = '\(id)'\ndown_revision: Union[str, Sequence[str], None] = \(down.map { "'\($0)'" } ?? "None")\n"
    }

    @Test func listsTheFilesOnlyForTheFilesTool() throws {
        try write("db/001_init.sql", "create table a (id int);\n")
        try write("README", "x\n")
        let first = try commit()
        try write("db/002_more.sql", "create table b (id int);\n")
        try write("db/nested/003.sql", "-- not matched: * stays in one directory\n")
        let second = try commit()
        let settings = MigrationSettings(tool: .files, paths: [PathGlob("db/*.sql")!])
        let gap = try #require(try gap(second, first, settings))
        #expect(gap.orphanedFiles == ["db/002_more.sql"])
        #expect(gap.commands.isEmpty && gap.cannotTell.isEmpty)
        #expect(gap.environment == [MigrationGap.filesVariable: "db/002_more.sql"])
        #expect(gap.lines.count == 2 && gap.lines[1] == "  db/002_more.sql")
        // No gap: the same commit, a deploy forward, a commit that only changed other files.
        #expect(try self.gap(second, second, settings) == nil)
        #expect(try self.gap(first, second, settings) == nil)
        try write("README", "y\n")
        #expect(try self.gap(try commit(), second, settings) == nil)
    }

    @Test func namesTheHeadAtTheTargetAndIgnoresWhatAlembicIgnores() throws {
        try write("alembic/versions/__init__.py", "")
        try write("alembic/versions/a1_first.py", alembicRevision("a1", down: nil))
        let first = try commit()
        try write("alembic/versions/b1_second.py", alembicRevision("b1", down: "a1"))
        try write("alembic/versions/.#b1_second.py", "an editor's lock file")
        try write("alembic/versions/notes.txt", "not a revision")
        try remove("alembic/versions/__init__.py")
        let second = try commit()
        let gap = try #require(try gap(second, first, MigrationSettings(tool: .alembic)))
        #expect(gap.orphanedFiles == ["alembic/versions/b1_second.py"])
        #expect(gap.alembicTarget == .known(AlembicTarget(revision: "a1")))
        #expect(gap.commands == ["alembic downgrade a1"])
        #expect(gap.environment[MigrationGap.targetVariable] == "a1")
        #expect(gap.lines.last == "Head at the target: a1. Before the rollback: alembic downgrade a1")
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(gap)) as? [String: Any]
        #expect(json?["migrationTarget"] as? String == "a1")
        #expect(json?["commands"] as? [String] == ["alembic downgrade a1"])
        #expect(json?["orphanedFiles"] as? [String] == ["alembic/versions/b1_second.py"])
        #expect(json?["now"] as? String == second.hex && json?["tool"] as? String == "alembic")
        // Over the read limit, the same files tell nothing.
        #expect(try self.gap(second, first, MigrationSettings(tool: .alembic), readLimit: 10)?.alembicTarget?.value == nil)
    }

    /// A 50 MB file is not read (its size comes from the object's header): "cannot tell", and
    /// the orphaned files are still listed.
    @Test func cannotTellPastAFileTooLargeToRead() throws {
        try write("alembic/versions/a1_first.py", alembicRevision("a1", down: nil))
        let data = Data(("revision = 'big'\ndown_revision = 'a1'\n" + String(repeating: "#", count: 50 * 1024 * 1024)).utf8)
        try data.write(to: URL(fileURLWithPath: work + "/alembic/versions/big_data.py"))
        let first = try commit()
        try write("alembic/versions/b1_second.py", alembicRevision("b1", down: "big"))
        let second = try commit()
        let gap = try #require(try gap(second, first, MigrationSettings(tool: .alembic)))
        #expect(gap.orphanedFiles == ["alembic/versions/b1_second.py"])
        guard case .cannotTell(let reason)? = gap.alembicTarget else {
            Issue.record("told: \(String(describing: gap.alembicTarget))")
            return
        }
        #expect(reason.contains("big_data.py is \(data.count) bytes, more than the \(MigrationGap.defaultReadLimit)"))
        #expect(gap.commands.isEmpty)
        #expect(gap.environment[MigrationGap.targetVariable] == nil)
        #expect(gap.environment[MigrationGap.filesVariable] == "alembic/versions/b1_second.py")
        #expect(
            gap.cannotTell.count == 1 && gap.lines.last?.hasPrefix("alembic: cannot tell where to downgrade to (at the target: ") == true)
    }

    @Test func cannotTellWhereTheFilesDoNotSay() throws {
        let settings = MigrationSettings(tool: .alembic)
        try write("alembic/versions/a1.py", alembicRevision("a1", down: nil))
        try write("alembic/versions/b1.py", alembicRevision("b1", down: "a1"))
        try write("alembic/versions/c1.py", alembicRevision("c1", down: "a1"))
        let twoHeads = try commit()
        try write("alembic/versions/m1.py", "revision = 'm1'\ndown_revision = ('b1', 'c1')\n")
        let merged = try commit()
        guard case .cannotTell(let reason)? = try gap(merged, twoHeads, settings)?.alembicTarget else {
            Issue.record("told a head among two")
            return
        }
        #expect(reason.contains("2 heads (b1, c1)"))
        // A revision computed at import time, a link, a file that is not Python.
        for (path, make) in [
            ("alembic/versions/x1.py", { try self.write("alembic/versions/x1.py", "revision = make_id()\ndown_revision = 'm1'\n") }),
            ("alembic/versions/x2.py", { try self.write("alembic/versions/x2.py", "revision = 'x2\ndown_revision = 'm1'\n") }),
            (
                "alembic/versions/x3.py",
                { try FileManager.default.createSymbolicLink(atPath: self.work + "/alembic/versions/x3.py", withDestinationPath: "m1.py") }
            ),
        ] as [(String, () throws -> Void)] {
            try make()
            let broken = try commit()
            try write("alembic/versions/z1.py", alembicRevision("z1", down: "m1"))
            let later = try commit()
            guard case .cannotTell? = try gap(later, broken, settings)?.alembicTarget else {
                Issue.record("told a head past \(path)")
                continue
            }
            try remove(path)
            try remove("alembic/versions/z1.py")
            _ = try commit()
        }
    }

    /// What runs now must know the target's head, and have one head of its own, for a downgrade
    /// command to be right.
    @Test func cannotTellWhenWhatRunsNowDoesNotLeadToTheTarget() throws {
        let settings = MigrationSettings(tool: .alembic)
        try write("alembic/versions/a1.py", alembicRevision("a1", down: nil))
        try write("alembic/versions/b1.py", alembicRevision("b1", down: "a1"))
        let target = try commit()
        try remove("alembic/versions/b1.py")
        try write("alembic/versions/c1.py", alembicRevision("c1", down: "a1"))
        let elsewhere = try commit()
        guard case .cannotTell(let reason)? = try gap(elsewhere, target, settings)?.alembicTarget else {
            Issue.record("told a head that alembic there does not know")
            return
        }
        #expect(reason.contains("b1 is not among the revisions of what runs now"))
        try write("alembic/versions/b1.py", alembicRevision("b1", down: "a1"))
        try write("alembic/versions/d1.py", alembicRevision("d1", down: "a1"))
        let twoHeadsNow = try commit()
        #expect(try gap(twoHeadsNow, target, settings)?.alembicTarget?.value == nil)
    }

    /// A branch merged beside the target's head is taken down by a second command; one that
    /// is not a plain line, or comes with `depends_on`, is "cannot tell". (A revision that merges
    /// the head itself is above it: the first downgrade takes it.)
    @Test func takesABranchBesideTheHeadDownOrCannotTell() throws {
        let settings = MigrationSettings(tool: .alembic)
        try write("alembic/versions/a1.py", alembicRevision("a1", down: nil))
        try write("alembic/versions/b1.py", alembicRevision("b1", down: "a1"))
        let target = try commit()
        try write("alembic/versions/c1.py", alembicRevision("c1", down: "a1"))
        try write("alembic/versions/c2.py", alembicRevision("c2", down: "c1"))
        try write("alembic/versions/m1.py", "revision = 'm1'\ndown_revision = ('b1', 'c2')\n")
        let merged = try commit()
        let gap = try #require(try gap(merged, target, settings))
        #expect(gap.commands == ["alembic downgrade b1", "alembic downgrade c2@-2"])
        #expect(gap.lines.last == "  then alembic downgrade c2@-2 (c2 is not above b1: the downgrade leaves it applied)")
        try write("alembic/versions/c2.py", alembicRevision("c2", down: "c1") + "depends_on = 'b1'\n")
        guard case .cannotTell(let reason)? = try self.gap(try commit(), target, settings)?.alembicTarget else {
            Issue.record("told commands past depends_on")
            return
        }
        #expect(reason.contains("c2 has depends_on"))
        // A branch beside the head that forks again is not one plain line.
        try write("alembic/versions/c2.py", alembicRevision("c2", down: "c1"))
        try write("alembic/versions/c3.py", alembicRevision("c3", down: "c1"))
        try write("alembic/versions/m1.py", "revision = 'm1'\ndown_revision = ('b1', 'c2', 'c3')\n")
        guard case .cannotTell? = try self.gap(try commit(), target, settings)?.alembicTarget else {
            Issue.record("told commands past a merge beside the head")
            return
        }
    }

    /// Revision ids reach the printed command shell-quoted.
    @Test func quotesTheRevisionInTheCommand() throws {
        try write("alembic/versions/a1.py", "revision = 'a$(reboot)'\ndown_revision = None\n")
        let first = try commit()
        try write("alembic/versions/b1.py", "revision = 'b1'\ndown_revision = 'a$(reboot)'\n")
        let gap = try #require(try gap(try commit(), first, MigrationSettings(tool: .alembic)))
        #expect(gap.commands == ["alembic downgrade 'a$(reboot)'"])
        #expect(gap.environment[MigrationGap.targetVariable] == "a$(reboot)")
    }

    func djangoMigration(_ dependencies: [(String, String)]) -> String {
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [\n"
            + dependencies.map { "        (\"\($0.0)\", \"\($0.1)\"),\n" }.joined() + "    ]\n\n    operations = []\n"
    }

    @Test func namesEachAppsLastMigrationOrZero() throws {
        try write("blog/migrations/__init__.py", "")
        try write("blog/migrations/0001_initial.py", djangoMigration([]))
        let first = try commit()
        try write("blog/migrations/0002_title.py", djangoMigration([("blog", "0001_initial")]))
        try write("shop/migrations/0001_initial.py", djangoMigration([("blog", "0002_title")]))
        try write("shop/migrations/0002_price.py", djangoMigration([("shop", "0001_initial")]))
        let second = try commit()
        let gap = try #require(try gap(second, first, MigrationSettings(tool: .django)))
        #expect(gap.djangoApps.map(\.app) == ["blog", "shop"])
        #expect(gap.djangoApps[1].orphanedFiles == ["shop/migrations/0001_initial.py", "shop/migrations/0002_price.py"])
        #expect(gap.commands == ["python manage.py migrate blog 0001_initial", "python manage.py migrate shop zero"])
        #expect(gap.environment[MigrationGap.targetVariable] == "blog 0001_initial\nshop zero")
        #expect(
            gap.lines.suffix(2) == [
                "blog: last migration at the target 0001_initial. Before the rollback: python manage.py migrate blog 0001_initial",
                "shop: no migration at the target. Before the rollback: python manage.py migrate shop zero",
            ])
    }

    @Test func goesByNumbersWhenDependenciesAreNotLiteralAndSaysSo() throws {
        try write("blog/migrations/0001_initial.py", djangoMigration([]))
        try write(
            "blog/migrations/0002_title.py",
            "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = BASE + [('blog', '0001_initial')]\n"
        )
        let first = try commit()
        try write("blog/migrations/0003_slug.py", djangoMigration([("blog", "0002_title")]))
        let second = try commit()
        let gap = try #require(try gap(second, first, MigrationSettings(tool: .django)))
        #expect(gap.djangoApps[0].target == .known(.migration("0002_title", basis: .highestNumber)))
        #expect(gap.lines.last?.contains("by its number") == true)
        // An orphaned migration numbered below the target's last is not after it by any reading.
        try write("blog/migrations/0002_other.py", djangoMigration([("blog", "0001_initial")]))
        let third = try commit()
        guard case .cannotTell = try self.gap(third, first, MigrationSettings(tool: .django))?.djangoApps[0].target else {
            Issue.record("told a target past a lower-numbered orphan")
            return
        }
    }

    @Test func cannotTellAConflictAtTheTargetOrAnAppItCannotName() throws {
        try write("blog/migrations/0001_initial.py", djangoMigration([]))
        try write("blog/migrations/0002_a.py", djangoMigration([("blog", "0001_initial")]))
        try write("blog/migrations/0002_b.py", djangoMigration([("blog", "0001_initial")]))
        let conflict = try commit()
        try write("blog/migrations/0003_merge.py", djangoMigration([("blog", "0002_a"), ("blog", "0002_b")]))
        let merged = try commit()
        guard case .cannotTell(let reason)? = try gap(merged, conflict, MigrationSettings(tool: .django))?.djangoApps.first?.target else {
            Issue.record("told a last migration among two")
            return
        }
        #expect(reason.contains("2 last migrations"))
        // Two migrations directories for one label; a migrations directory at the root.
        try write("a/shop/migrations/0001_initial.py", djangoMigration([]))
        try write("b/shop/migrations/0001_initial.py", djangoMigration([]))
        try write("migrations/0001_initial.py", djangoMigration([]))
        let odd = try commit()
        let settings = MigrationSettings(tool: .django, paths: [PathGlob("**/migrations/0*.py")!])
        let apps = try #require(try gap(odd, merged, settings)).djangoApps
        #expect(apps.count == 3)
        #expect(apps.allSatisfy { $0.target.value == nil })
        #expect(try gap(odd, merged, settings)?.commands == [])
    }
}
