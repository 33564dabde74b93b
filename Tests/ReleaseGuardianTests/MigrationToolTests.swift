import Foundation
import Git
import TestSupport
import Testing
@testable import ReleaseGuardian

/// alembic and Django from PyPI (ci/migration-tools.txt), installed into .build/tools by
/// ci/setup.sh.
enum MigrationTools {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let bin = packageRoot + "/.build/tools/bin"

    static let available: Bool = ["alembic", "django-admin", "python"].allSatisfy {
        FileManager.default.isExecutableFile(atPath: bin + "/" + $0)
    }

    /// CI installs them (ci/test.sh runs ci/setup.sh): there the tests run, and fail without them.
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    static let missing = "alembic and Django are not installed in .build/tools: run ci/setup.sh"

    /// A command line run by /bin/sh in `directory` with the tools first on PATH, as a `before`
    /// command would run it; throws when it fails.
    @discardableResult
    static func run(_ command: String, in directory: String, scratch: Scratch) throws -> String {
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try scratch.run(
            "/bin/sh", ["-c", command], in: directory, extraEnvironment: ["PATH": path, "PYTHONDONTWRITEBYTECODE": "1"])
        guard result.status == 0 else { throw ScratchError.commandFailed(command, result.status, result.stdout + result.stderr) }
        return result.stdout
    }

    /// Rows of an SQLite query, one line each, columns separated by spaces.
    static func query(_ sql: String, database: String, scratch: Scratch) throws -> [String] {
        let script = "import sqlite3, sys\nfor row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print(' '.join(map(str, row)))"
        let result = try scratch.run(bin + "/python", ["-c", script, database, sql], in: scratch.root)
        guard result.status == 0 else { throw ScratchError.commandFailed(sql, result.status, result.stderr) }
        return result.stdout.split(separator: "\n").map(String.init).sorted()
    }
}

/// The gap computed from a repository's history, and the commands it prints run by the real
/// alembic and Django on SQLite: after them, the database is where the target's code expects it.
@Suite(.enabled(if: MigrationTools.available || MigrationTools.required, Comment(rawValue: MigrationTools.missing)))
struct MigrationToolTests {
    let scratch: Scratch
    let work: String

    init() throws {
        let world = try ReleaseWorld(.empty)
        scratch = world.scratch
        work = world.work
        try #require(MigrationTools.available, Comment(rawValue: MigrationTools.missing))
    }

    func commit(_ message: String, adding paths: [String]) throws -> ObjectID {
        try scratch.git(["add"] + paths, in: work)
        return try #require(ObjectID(hex: try scratch.commit(message, in: work)))
    }

    func gap(from now: ObjectID, to target: ObjectID, _ settings: MigrationSettings) throws -> MigrationGap? {
        try MigrationGap.between(now: now, target: target, settings: settings, in: Repository.open(at: work))
    }

    /// Revisions made by alembic itself (its current template: annotations, a branch label, a
    /// merge revision's tuple), each creating a table, committed one step at a time:
    ///
    ///     C0  no alembic yet
    ///     C1  a1 (branch label core)
    ///     C2  b1 on a1
    ///     C3  c1 on a1 and c2 on c1 (a branch merged in), m1 merging b1 and c2
    ///     C4  d1 on m1
    @Test func alembicDowngradesToTheTargetsHead() throws {
        let c0 = try scratch.commit("no migrations yet", in: work, file: "README")
        let script = #"""
            import os, re, sys
            from alembic.config import main
            main(["init", "alembic"])
            ini = open("alembic.ini").read()
            open("alembic.ini", "w").write(re.sub(r"(?m)^sqlalchemy.url = .*$", "sqlalchemy.url = sqlite:///db.sqlite", ini))
            def revision(rev, *options):
                main(["revision", "-m", "table " + rev, "--rev-id", rev, *options])
                path = "alembic/versions/%s_table_%s.py" % (rev, rev)
                text = open(path).read()
                text = re.sub(r'(def upgrade\(\)[^\n]*\n(?:    """[^\n]*"""\n)?)    pass', r'\1    op.create_table("t_%s", sa.Column("id", sa.Integer(), primary_key=True))' % rev, text)
                text = re.sub(r'(def downgrade\(\)[^\n]*\n(?:    """[^\n]*"""\n)?)    pass', r'\1    op.drop_table("t_%s")' % rev, text)
                open(path, "w").write(text)
            revision("a1", "--branch-label", "core")
            revision("b1")
            revision("c1", "--head", "a1", "--splice")
            revision("c2", "--head", "c1")
            main(["merge", "-m", "merge", "b1", "c2", "--rev-id", "m1"])
            revision("d1")
            """#
        try MigrationTools.run("python -c '\(script.replacingOccurrences(of: "'", with: "'\\''"))' >/dev/null", in: work, scratch: scratch)
        let versions = "alembic/versions/"
        let c1 = try commit(
            "a1", adding: ["alembic.ini", "alembic/env.py", "alembic/script.py.mako", "alembic/README", versions + "a1_table_a1.py"])
        let c2 = try commit("b1", adding: [versions + "b1_table_b1.py"])
        let c3 = try commit(
            "c1, c2 and the merge", adding: [versions + "c1_table_c1.py", versions + "c2_table_c2.py", versions + "m1_merge.py"])
        let c4 = try commit("d1", adding: [versions + "d1_table_d1.py"])
        #expect(try String(contentsOfFile: work + "/" + versions + "m1_merge.py", encoding: .utf8).contains("= ('b1', 'c2')"))
        let settings = MigrationSettings(tool: .alembic)
        let database = work + "/db.sqlite"
        /// The alembic_version table and the tables the revisions made.
        func state() throws -> (versions: [String], tables: [String]) {
            let rows = try MigrationTools.query(
                "SELECT 'version', version_num FROM alembic_version UNION ALL SELECT 'table', name FROM sqlite_master WHERE type = 'table' AND name LIKE 't_%'",
                database: database, scratch: scratch)
            return (
                rows.filter { $0.hasPrefix("version ") }.map { String($0.dropFirst(8)) },
                rows.filter { $0.hasPrefix("table ") }.map { String($0.dropFirst(6)) }
            )
        }
        // Nothing is orphaned going forward, or staying.
        #expect(try gap(from: c1, to: c4, settings) == nil)
        #expect(try gap(from: c4, to: c4, settings) == nil)

        try MigrationTools.run("alembic upgrade head 2>/dev/null", in: work, scratch: scratch)
        #expect(try state().versions == ["d1"])

        // Back to C2, across the merge: downgrading to b1 leaves c2 and c1 applied (they are not
        // above b1), so a second command takes that branch down.
        let toC2 = try #require(try gap(from: c4, to: c2, settings))
        #expect(
            toC2.orphanedFiles == [
                versions + "c1_table_c1.py", versions + "c2_table_c2.py", versions + "d1_table_d1.py", versions + "m1_merge.py",
            ])
        #expect(toC2.alembicTarget == .known(AlembicTarget(revision: "b1", branchesBeside: [.init(top: "c2", depth: 2)])))
        #expect(toC2.commands == ["alembic downgrade b1", "alembic downgrade c2@-2"])
        #expect(toC2.environment[MigrationGap.targetVariable] == "b1")
        #expect(toC2.environment[MigrationGap.filesVariable] == toC2.orphanedFiles.joined(separator: "\n"))
        try MigrationTools.run(toC2.commands[0] + " 2>/dev/null", in: work, scratch: scratch)
        #expect(try state().versions == ["b1", "c2"], "alembic itself leaves the branch beside the head applied")
        try MigrationTools.run(toC2.commands[1] + " 2>/dev/null", in: work, scratch: scratch)
        #expect(try state() == (["b1"], ["t_a1", "t_b1"]))

        // Back to C1: one downgrade to the base revision, whose branch label is shown.
        let toC1 = try #require(try gap(from: c2, to: c1, settings))
        #expect(toC1.alembicTarget == .known(AlembicTarget(revision: "a1", branchLabels: ["core"])))
        try MigrationTools.run(toC1.commands.joined(separator: " && ") + " 2>/dev/null", in: work, scratch: scratch)
        #expect(try state() == (["a1"], ["t_a1"]))

        // Back before alembic: everything goes.
        let toC0 = try #require(try gap(from: c1, to: ObjectID(hex: c0)!, settings))
        #expect(toC0.commands == ["alembic downgrade base"])
        try MigrationTools.run(toC0.commands[0] + " 2>/dev/null", in: work, scratch: scratch)
        #expect(try state() == ([], []))

        // From C4 to C3, the downgrade would go to the merge revision alone.
        #expect(try gap(from: c4, to: c3, settings)?.commands == ["alembic downgrade m1"])
    }

    /// Three apps, migrations as Django 5.2's `makemigrations` writes them (a dependency across
    /// apps, a merge migration), committed one step at a time:
    ///
    ///     C1  blog 0001, shop 0001
    ///     C2  blog 0002_post_title, shop 0002_item_post (on blog 0001)
    ///     C3  blog 0002_post_summary (a branch from 0001, merged by 0003_merge), shop 0003, news 0001
    ///     C4  blog 0004_post_slug
    @Test func djangoMigratesEachAppBackToItsLastMigrationAtTheTarget() throws {
        try scratch.write(
            """
            SECRET_KEY = "test"
            INSTALLED_APPS = ["blog", "shop", "news"]
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
            USE_TZ = True
            DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

            """, to: work + "/settings.py")
        try scratch.write(
            """
            import os
            import sys

            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
            from django.core.management import execute_from_command_line

            execute_from_command_line(sys.argv)

            """, to: work + "/manage.py")
        for app in ["blog", "shop", "news"] {
            try FileManager.default.createDirectory(atPath: work + "/\(app)/migrations", withIntermediateDirectories: true)
            try scratch.write("", to: work + "/\(app)/__init__.py")
            try scratch.write("", to: work + "/\(app)/migrations/__init__.py")
        }
        func migration(
            _ path: String, dependencies: [(String, String)], _ operations: String,
            imports: String = "from django.db import migrations, models"
        )
            throws -> String
        {
            let lines = dependencies.map { "        ('\($0.0)', '\($0.1)'),\n" }.joined()
            try scratch.write(
                """
                # Generated by Django 5.2.19 on 2026-11-23 17:16

                \(imports)


                class Migration(migrations.Migration):

                    dependencies = [
                \(lines)    ]

                    operations = [
                \(operations)
                    ]

                """, to: work + "/" + path)
            return path
        }
        func addField(_ model: String, _ name: String) -> String {
            "        migrations.AddField(\n            model_name='\(model)',\n            name='\(name)',\n            field=models.CharField(default='', max_length=20),\n        ),"
        }
        func createModel(_ name: String) -> String {
            "        migrations.CreateModel(\n            name='\(name)',\n            fields=[\n                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),\n            ],\n        ),"
        }
        let c1 = try commit(
            "blog and shop",
            adding: [
                "settings.py", "manage.py", "blog", "shop", "news",
                try migration("blog/migrations/0001_initial.py", dependencies: [], createModel("Post")),
                try migration("shop/migrations/0001_initial.py", dependencies: [], createModel("Item")),
            ])
        let c2 = try commit(
            "titles, items on posts",
            adding: [
                try migration("blog/migrations/0002_post_title.py", dependencies: [("blog", "0001_initial")], addField("post", "title")),
                try migration(
                    "shop/migrations/0002_item_post.py", dependencies: [("blog", "0001_initial"), ("shop", "0001_initial")],
                    "        migrations.AddField(\n            model_name='item',\n            name='post',\n            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to='blog.post'),\n        ),",
                    imports: "import django.db.models.deletion\nfrom django.db import migrations, models"),
            ])
        let c3 = try commit(
            "summaries from a branch, prices, news",
            adding: [
                try migration(
                    "blog/migrations/0002_post_summary.py", dependencies: [("blog", "0001_initial")], addField("post", "summary")),
                try migration(
                    "blog/migrations/0003_merge_0002_post_summary_0002_post_title.py",
                    dependencies: [("blog", "0002_post_summary"), ("blog", "0002_post_title")], "",
                    imports: "from django.db import migrations"),
                try migration("shop/migrations/0003_item_price.py", dependencies: [("shop", "0002_item_post")], addField("item", "price")),
                try migration("news/migrations/0001_initial.py", dependencies: [], createModel("Story")),
            ])
        let c4 = try commit(
            "slugs",
            adding: [
                try migration(
                    "blog/migrations/0004_post_slug.py", dependencies: [("blog", "0003_merge_0002_post_summary_0002_post_title")],
                    addField("post", "slug"))
            ])
        let settings = MigrationSettings(tool: .django)
        let database = work + "/db.sqlite3"
        func applied(_ app: String) throws -> [String] {
            try MigrationTools.query("SELECT name FROM django_migrations WHERE app = '\(app)'", database: database, scratch: scratch)
        }
        func columns(_ table: String) throws -> [String] {
            try MigrationTools.query("SELECT name FROM pragma_table_info('\(table)')", database: database, scratch: scratch)
        }
        #expect(try gap(from: c2, to: c4, settings) == nil)

        try MigrationTools.run("python manage.py migrate -v 0", in: work, scratch: scratch)
        #expect(try applied("blog").count == 5 && applied("shop").count == 3 && applied("news").count == 1)

        // Back to C3: blog only, to its merge migration.
        let toC3 = try #require(try gap(from: c4, to: c3, settings))
        #expect(toC3.commands == ["python manage.py migrate blog 0003_merge_0002_post_summary_0002_post_title"])
        #expect(toC3.environment[MigrationGap.targetVariable] == "blog 0003_merge_0002_post_summary_0002_post_title")

        // Back to C2: shop and news have commands; blog's 0002_post_summary came in on a branch
        // beside 0002_post_title, which no migrate command undoes alone: cannot tell.
        let toC2 = try #require(try gap(from: c4, to: c2, settings))
        #expect(toC2.djangoApps.map(\.app) == ["blog", "news", "shop"])
        #expect(toC2.djangoApps[1].target == .known(.zero))
        #expect(toC2.djangoApps[2].target == .known(.migration("0002_item_post", basis: .dependencies)))
        guard case .cannotTell(let reason) = toC2.djangoApps[0].target else {
            Issue.record("blog: \(toC2.djangoApps[0].target)")
            return
        }
        #expect(reason.contains("0002_post_summary") && reason.contains("0002_post_title"))
        #expect(toC2.commands == ["python manage.py migrate news zero", "python manage.py migrate shop 0002_item_post"])
        #expect(toC2.environment[MigrationGap.targetVariable] == nil, "a partial target is never given")
        for command in toC2.commands { try MigrationTools.run(command + " -v 0", in: work, scratch: scratch) }
        #expect(try applied("news") == [])
        #expect(try applied("shop") == ["0001_initial", "0002_item_post"])
        #expect(try !columns("shop_item").contains("price"))
        // What "cannot tell" spares: Django itself leaves the branch's migration applied.
        try MigrationTools.run("python manage.py migrate blog 0002_post_title -v 0", in: work, scratch: scratch)
        #expect(try applied("blog") == ["0001_initial", "0002_post_summary", "0002_post_title"])

        // Back to C1 from C2: both apps to their first migration, through the real commands.
        let toC1 = try #require(try gap(from: c2, to: c1, settings))
        #expect(toC1.commands == ["python manage.py migrate blog 0001_initial", "python manage.py migrate shop 0001_initial"])
        #expect(toC1.environment[MigrationGap.targetVariable] == "blog 0001_initial\nshop 0001_initial")
        for command in toC1.commands { try MigrationTools.run(command + " -v 0", in: work, scratch: scratch) }
        #expect(try applied("blog") == ["0001_initial"])
        #expect(try applied("shop") == ["0001_initial"])
        #expect(try columns("blog_post") == ["id"])
    }
}
