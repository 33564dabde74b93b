import Foundation
import TestSupport
import Testing
@testable import ReleaseGuardian

/// alembic revision files and Django migration files read without Python: what each declares,
/// and "cannot tell" for what is not a literal.
struct MigrationParserTests {
    func alembic(_ text: String, file: String = "alembic/versions/x.py") throws -> AlembicRevision {
        try AlembicRevision.parse(PythonSource(Array(text.utf8)), fileName: file)
    }

    func alembicProblem(_ text: String, file: String = "alembic/versions/x.py") -> MigrationFileProblem? {
        do {
            _ = try AlembicRevision.parse(try PythonSource(Array(text.utf8)), fileName: file)
            return nil
        } catch let error as MigrationFileProblem {
            return error
        } catch {
            return .notPython("\(error)")
        }
    }

    /// What `alembic revision` writes today (alembic 1.20's generic template), branch label and all.
    @Test func readsTheAnnotatedTemplateOfRecentAlembic() throws {
        let text = """
            \"\"\"create account

            Revision ID: 1975ea83b712
            Revises:
            Create Date: 2026-11-23 17:16:10.637760

            \"\"\"
            from typing import Sequence, Union

            from alembic import op
            import sqlalchemy as sa


            # revision identifiers, used by Alembic.
            revision: str = '1975ea83b712'
            down_revision: Union[str, Sequence[str], None] = None
            branch_labels: Union[str, Sequence[str], None] = ('core',)
            depends_on: Union[str, Sequence[str], None] = None


            def upgrade() -> None:
                \"\"\"Upgrade schema.\"\"\"
                revision = "not-this-one"
                op.create_table("account", sa.Column("id", sa.Integer(), primary_key=True))


            def downgrade() -> None:
                \"\"\"Downgrade schema.\"\"\"
                op.drop_table("account")
            """
        #expect(try alembic(text) == AlembicRevision(revision: "1975ea83b712", downRevisions: [], branchLabels: ["core"]))
    }

    @Test func readsTheOlderTemplateInEitherQuoteStyle() throws {
        #expect(
            try alembic("revision = 'ae1027a6acf'\ndown_revision = '1975ea83b712'\nbranch_labels = None\ndepends_on = None\n")
                == AlembicRevision(revision: "ae1027a6acf", downRevisions: ["1975ea83b712"]))
        #expect(
            try alembic("revision = \"ae1027a6acf\"\ndown_revision = \"1975ea83b712\"\n")
                == AlembicRevision(revision: "ae1027a6acf", downRevisions: ["1975ea83b712"]))
        #expect(try alembic("revision = r'a1'\ndown_revision = u\"b1\"\n") == AlembicRevision(revision: "a1", downRevisions: ["b1"]))
        // Annotations written by hand, narrower than the template's.
        #expect(
            try alembic("revision: str = \"abc\"\ndown_revision: Union[str, None] = \"x\"\n")
                == AlembicRevision(revision: "abc", downRevisions: ["x"]))
        #expect(try alembic("revision: str = \"abc\"\ndown_revision: Optional[str] = None\n").downRevisions == [])
    }

    /// `alembic merge` writes a tuple; black formats a long one over several lines.
    @Test func readsAMergeRevision() throws {
        #expect(
            try alembic("revision = '53fffde5ad5'\ndown_revision = ('ae1027a6acf', '27c6a30d7c24')\nbranch_labels = None\n").downRevisions
                == ["ae1027a6acf", "27c6a30d7c24"])
        let black = """
            revision: str = "53fffde5ad5"
            down_revision: Union[str, Sequence[str], None] = (
                "ae1027a6acf",  # the account branch
                "27c6a30d7c24",
            )
            """
        #expect(try alembic(black).downRevisions == ["ae1027a6acf", "27c6a30d7c24"])
        #expect(try alembic("revision = 'm'\ndown_revision = ['a', 'b']\n").downRevisions == ["a", "b"])
        // A one-element tuple and a parenthesised string are the same down revision.
        #expect(try alembic("revision = 'm'\ndown_revision = ('a',)\n").downRevisions == ["a"])
        #expect(try alembic("revision = 'm'\ndown_revision = ('a')\n").downRevisions == ["a"])
        #expect(try alembic("revision = 'm'\ndown_revision = ()\n").downRevisions == [])
    }

    @Test func readsBranchLabelsAndDependencies() throws {
        let revision = try alembic(
            "revision = '27c6a30d7c24'\ndown_revision = '1975ea83b712'\nbranch_labels = 'shoppingcart'\ndepends_on = ('55af2cb1c267', 'networking')\n"
        )
        #expect(revision.branchLabels == ["shoppingcart"])
        #expect(revision.dependsOn == ["55af2cb1c267", "networking"])
        #expect(try alembic("revision = 'a'\ndown_revision = None\nbranch_labels = ('x', 'y')\n").branchLabels == ["x", "y"])
    }

    /// Docstrings, comments, CRLF, a byte-order mark, tabs, continuations: Python's layout.
    @Test func readsThroughPythonsLayout() throws {
        let tricky = """
            \u{FEFF}\"\"\"A docstring that says revision = 'fake'

            down_revision = 'fake'
            \"\"\"
            '''revision = "fake too"'''
            # revision = "commented"
            revision = 'a1'  # the id
            down_revision = \\
                'b1'
            def helper():
            \trevision = 'inside a function'
            """
        #expect(try alembic(tricky) == AlembicRevision(revision: "a1", downRevisions: ["b1"]))
        #expect(try alembic("revision = 'a1'\r\ndown_revision = 'b1'\r\n") == AlembicRevision(revision: "a1", downRevisions: ["b1"]))
        #expect(try alembic("revision = 'a1'\rdown_revision = 'b1'\r") == AlembicRevision(revision: "a1", downRevisions: ["b1"]))
        // The last binding at the top level is the one Python keeps.
        #expect(try alembic("revision = 'a1'\nrevision = 'a2'\ndown_revision = None\n").revision == "a2")
        // A comparison and keyword arguments are not assignments.
        #expect(try alembic("revision = 'a1'\ndown_revision = None\nassert revision == 'a1'\nprint(revision='x')\n").revision == "a1")
    }

    /// alembic's legacy rule: a file named by a hex id declares it.
    @Test func takesALegacyRevisionFromTheFileName() throws {
        #expect(try alembic("down_revision = None\n", file: "alembic/versions/1975ea83b712.py").revision == "1975ea83b712")
        #expect(alembicProblem("down_revision = None\n", file: "alembic/versions/create_account.py") != nil)
    }

    /// Anything computed is "cannot tell", never a guess.
    @Test func refusesWhatIsNotALiteral() {
        for text in [
            "revision = make_id()\ndown_revision = None\n",
            "revision = 'a' + 'b'\ndown_revision = None\n",
            "revision = 'a1'\ndown_revision = PREVIOUS\n",
            "revision = 'a1'\ndown_revision = None\nbranch_labels = {'x'}\n",
            "revision = 'a1'\ndown_revision = ('b1', None)\n",
            "revision, down_revision = 'a1', None\n",
            "revision = 'a1'\nrevision += 'x'\ndown_revision = None\n",
            "revision = 'a1'\n",  // no down_revision: alembic fails on it
            "revision = f'a{1}'\ndown_revision = None\n",
            "revision = b'a1'\ndown_revision = None\n",
            "revision = 'a\\x31'\ndown_revision = None\n",
            "revision = 'a-1'\ndown_revision = None\n",  // alembic refuses - @ + : in ids
            "revision = 'a1'\ndown_revision = 'a1'\n",
            "revision = None\ndown_revision = None\n",
        ] {
            guard case .notLiteral = alembicProblem(text) else {
                Issue.record(
                    "read as a literal, or failed otherwise: \(text.debugDescription) → \(String(describing: alembicProblem(text)))")
                continue
            }
        }
    }

    @Test func refusesWhatIsNotPython() {
        for text in ["revision = 'a1\ndown_revision = None\n", "down_revision = ('a',\n", "x = ]\n", "\"\"\"never closed\n"] {
            #expect(throws: PythonSource.SyntaxError.self, "\(text.debugDescription)") { try PythonSource(Array(text.utf8)) }
        }
        #expect(throws: PythonSource.SyntaxError.self) { try PythonSource([0x72, 0x3D, 0xFF, 0xFE]) }
    }

    // MARK: alembic's heads

    func history(_ revisions: [(String, [String])]) throws -> AlembicHistory {
        try AlembicHistory(revisions.map { AlembicRevision(revision: $0.0, downRevisions: $0.1) })
    }

    @Test func findsTheHeadAcrossAMerge() throws {
        let merged = try history([("a", []), ("b", ["a"]), ("c", ["a"]), ("m", ["b", "c"]), ("d", ["m"])])
        #expect(try merged.head()?.revision == "d")
        #expect(merged.descendants(of: "b") == ["m", "d"])
        #expect(try history([]).head() == nil)
    }

    @Test func cannotTellBetweenSeveralHeads() throws {
        let branched = try history([("a", []), ("b", ["a"]), ("c", ["a"])])
        #expect(throws: MigrationFileProblem.self) { try branched.head() }
        // depends_on orders two branches without merging them: still two heads, as in alembic.
        let dependent = try AlembicHistory([
            AlembicRevision(revision: "x", downRevisions: []), AlembicRevision(revision: "y", downRevisions: [], dependsOn: ["x"]),
        ])
        #expect(dependent.heads.map(\.revision) == ["x", "y"])
    }

    @Test func refusesABrokenHistory() {
        #expect(throws: MigrationFileProblem.self) { try history([("a", []), ("b", ["missing"])]) }
        #expect(throws: MigrationFileProblem.self) { try history([("a", []), ("a", [])]) }
        #expect(throws: MigrationFileProblem.self) { try history([("a", []), ("b", ["c"]), ("c", ["b"]), ("d", ["a"])]) }
    }

    // MARK: Django

    func django(_ text: String, name: String = "0002_item_post") throws -> DjangoMigration {
        try DjangoMigration.parse(PythonSource(Array(text.utf8)), name: name, fileName: "shop/migrations/\(name).py")
    }

    /// What `makemigrations` writes (Django 5.2), a swappable dependency included.
    @Test func readsAGeneratedDjangoMigration() throws {
        let text = """
            # Generated by Django 5.2.19 on 2026-11-23 17:16

            import django.db.models.deletion
            from django.conf import settings
            from django.db import migrations, models


            class Migration(migrations.Migration):

                dependencies = [
                    ('blog', '0001_initial'),
                    ('shop', '0001_initial'),
                    migrations.swappable_dependency(settings.AUTH_USER_MODEL),
                ]

                operations = [
                    migrations.AddField(
                        model_name='item',
                        name='post',
                        field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to='blog.post'),
                    ),
                ]
            """
        let migration = try django(text)
        #expect(migration.dependencies == [.init(app: "blog", name: "0001_initial"), .init(app: "shop", name: "0001_initial")])
        #expect(migration.replaces.isEmpty && migration.runBefore.isEmpty)
        let initial = "class Migration(migrations.Migration):\n\n    initial = True\n\n    dependencies = [\n    ]\n\n    operations = []\n"
        #expect(try django(initial, name: "0001_initial").dependencies.isEmpty)
    }

    @Test func readsSquashesRunBeforeAndDoubleQuotes() throws {
        let text = """
            from django.db import migrations


            class Migration(migrations.Migration):
                replaces = [("shop", "0001_initial"), ("shop", "0002_item_post")]
                dependencies = (("blog", "0001_initial"),)
                run_before = [("shop", "0003_price")]

                def helper(self):
                    dependencies = "not the class attribute"
            """
        let migration = try django(text, name: "0001_squashed_0002")
        #expect(migration.replaces.map(\.name) == ["0001_initial", "0002_item_post"])
        #expect(migration.dependencies == [.init(app: "blog", name: "0001_initial")])
        #expect(migration.runBefore == [.init(app: "shop", name: "0003_price")])
    }

    @Test func refusesADjangoMigrationItCannotRead() {
        for text in [
            "from django.db import migrations\n",  // no Migration class
            "class Migration(migrations.Migration):\n    dependencies = BASE + [('shop', '0001_initial')]\n",
            "class Migration(migrations.Migration):\n    dependencies = [('shop',)]\n",
            "class Migration(migrations.Migration):\n    dependencies = [other_dependency()]\n",
        ] {
            #expect(throws: MigrationFileProblem.self, "\(text.debugDescription)") { try django(text) }
        }
    }

    func graph(_ migrations: [(String, [String])], app: String = "blog") throws -> DjangoGraph {
        try DjangoGraph(
            app: app, migrations: migrations.map { DjangoMigration(name: $0.0, dependencies: $0.1.map { .init(app: app, name: $0) }) })
    }

    @Test func findsTheLastMigrationOfAnApp() throws {
        let merged = try graph([
            ("0001_initial", []), ("0002_post_title", ["0001_initial"]), ("0002_post_summary", ["0001_initial"]),
            ("0003_merge", ["0002_post_title", "0002_post_summary"]),
        ])
        #expect(try merged.leaf() == "0003_merge")
        #expect(merged.descendants(of: "0002_post_title") == ["0003_merge"])
        // Other apps' migrations and `__first__` order nothing within the app.
        let crossing = try DjangoGraph(
            app: "shop",
            migrations: [
                DjangoMigration(name: "0001_initial", dependencies: [.init(app: "blog", name: "0002_post_title")]),
                DjangoMigration(
                    name: "0002_item_post", dependencies: [.init(app: "shop", name: "__first__"), .init(app: "shop", name: "0001_initial")]),
            ])
        #expect(try crossing.leaf() == "0002_item_post")
    }

    @Test func cannotTellAConflictOrABrokenGraph() throws {
        let conflict = try graph([("0001_initial", []), ("0002_a", ["0001_initial"]), ("0002_b", ["0001_initial"])])
        #expect(throws: MigrationFileProblem.self) { try conflict.leaf() }
        #expect(throws: MigrationFileProblem.self) { try graph([("0001_initial", []), ("0002_a", ["0001_gone"])]) }
        #expect(throws: MigrationFileProblem.self) { try graph([("0001_a", ["0002_b"]), ("0002_b", ["0001_a"])]) }
    }

    /// A squashed migration stands for the ones it replaces, as Django's loader has it.
    @Test func readsASquashAsTheMigrationsItReplaces() throws {
        let squashed = try DjangoGraph(
            app: "blog",
            migrations: [
                DjangoMigration(name: "0001_initial"),
                DjangoMigration(name: "0002_x", dependencies: [.init(app: "blog", name: "0001_initial")]),
                DjangoMigration(
                    name: "0001_squashed_0002", replaces: [.init(app: "blog", name: "0001_initial"), .init(app: "blog", name: "0002_x")]),
                DjangoMigration(name: "0003_y", dependencies: [.init(app: "blog", name: "0002_x")]),
            ])
        #expect(squashed.nodes == ["0001_squashed_0002", "0003_y"])
        #expect(try squashed.leaf() == "0003_y")
        // run_before within the app is an edge too.
        let ordered = try DjangoGraph(
            app: "blog",
            migrations: [
                DjangoMigration(name: "0001_initial"),
                DjangoMigration(name: "0002_x", runBefore: [.init(app: "blog", name: "0001_initial")]),
            ])
        #expect(try ordered.leaf() == "0001_initial")
    }

    @Test func goesByNumbersOnlyWhenOneIsHighest() throws {
        #expect(try DjangoGraph.highestNumbered(app: "blog", names: ["0001_initial", "0003_merge", "0002_a", "0002_b"]) == "0003_merge")
        #expect(throws: MigrationFileProblem.self) {
            try DjangoGraph.highestNumbered(app: "blog", names: ["0001_initial", "0002_a", "0002_b"])
        }
        #expect(throws: MigrationFileProblem.self) { try DjangoGraph.highestNumbered(app: "blog", names: ["0001_initial", "auto"]) }
    }
}

/// Mutated migration files (bytes deleted, inserted, repeated, cut): the readers never crash, and
/// what they read keeps its invariants.
struct MigrationParserMutationTests {
    static let seeds = [
        "\"\"\"merge\n\nRevision ID: m1\nRevises: b1, c1\n\"\"\"\nfrom typing import Sequence, Union\n\nrevision: str = 'm1'\n"
            + "down_revision: Union[str, Sequence[str], None] = ('b1', 'c1')\nbranch_labels: Union[str, Sequence[str], None] = None\n"
            + "depends_on: Union[str, Sequence[str], None] = None\n\n\ndef upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n    pass\n",
        "revision = \"a1\"\ndown_revision = (\n    \"b1\",  # one\n    'c1',\n)\nbranch_labels = 'core'\r\nx = 1; y = r'\\d'\n",
        "# Generated by Django 5.2.19\n\nfrom django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n\n"
            + "    dependencies = [\n        ('blog', '0001_initial'),\n        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n    ]\n"
            + "    replaces = [('blog', '0001_initial')]\n\n    operations = [\n        migrations.AddField(model_name='post', name='x'),\n    ]\n",
    ]
    static let pieces: [[UInt8]] =
        ["'", "\"", "\"\"\"", "\\", "\n", "\r", "\r\n", "(", ")", "[", "]", "#", ":", "=", ";", "\t", "    ", "é", "revision", "class"]
        .map { Array($0.utf8) } + [[0xFF], [0xC3], [0xEF, 0xBB, 0xBF], [0]]

    @Test func survivesMutatedFiles() {
        var random = SeededRandom(seed: 20_261_125)
        let count = Int(ProcessInfo.processInfo.environment["MIGRATION_MUTATION_CASES"] ?? "") ?? 5_000
        var read = 0
        for _ in 0..<count {
            var bytes = Array(random.pick(Self.seeds).utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
                case 1: bytes.insert(contentsOf: random.pick(Self.pieces), at: at)
                case 2: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 12)], at: at)
                default: bytes.removeSubrange(at...)
                }
            }
            guard let source = try? PythonSource(bytes) else { continue }
            #expect(source.lines.allSatisfy { !$0.tokens.isEmpty && $0.indent >= 0 && $0.number >= 1 })
            if let revision = try? AlembicRevision.parse(source, fileName: "alembic/versions/x.py") {
                read += 1
                #expect(!revision.revision.isEmpty && !revision.downRevisions.contains(revision.revision))
                #expect(!revision.revision.contains { AlembicRevision.illegalCharacters.contains($0) || $0.isWhitespace })
                _ = try? AlembicHistory([revision]).head()
            }
            if let migration = try? DjangoMigration.parse(source, name: "0002_x", fileName: "blog/migrations/0002_x.py") {
                read += 1
                _ = try? DjangoGraph(app: "blog", migrations: [migration]).leaf()
            }
        }
        #expect(read > count / 10, "only \(read) mutated files were read")
    }
}
