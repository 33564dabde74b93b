import Foundation
import TestSupport
import Testing

/// A rollback across an alembic migration gap, through the binary, with the real alembic from
/// PyPI on SQLite (installed into .build/tools by ci/setup.sh): refused without a `before`
/// command, the database untouched; with `before = alembic downgrade "$RELEASE_GUARDIAN_MIGRATION_TARGET"`
/// the database ends at the target's head.
struct MigrationGapEndToEndTests {
    static let tools = CITemplateTests.packageRoot + "/.build/tools/bin"
    static let available = FileManager.default.isExecutableFile(atPath: tools + "/alembic")
    /// The tools first on PATH, as a `before` command finds them.
    static let environment = [
        "PATH": tools + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1",
    ]

    /// A command line in the fixture's clone, with the tools; it must succeed.
    @discardableResult
    func sh(_ command: String, in f: DeployFixture) throws -> ProcessResult {
        let result = try f.scratch.run("/bin/sh", ["-c", command], in: f.work, extraEnvironment: Self.environment)
        #expect(result.status == 0, "\(command): \(result.stdout)\(result.stderr)")
        return result
    }

    @Test(.enabled(if: available || ProcessInfo.processInfo.environment["CI"] == "true", "alembic is not in .build/tools: run ci/setup.sh"))
    func aRollbackAcrossAnAlembicGapNeedsABeforeThatDowngrades() throws {
        let f = try DeployFixture()
        let environment = Self.environment
        func sh(_ command: String) throws -> ProcessResult { try self.sh(command, in: f) }
        let setUp = #"""
            import re
            from alembic.config import main
            main(["init", "alembic"])
            ini = open("alembic.ini").read()
            open("alembic.ini", "w").write(re.sub(r"(?m)^sqlalchemy.url = .*$", "sqlalchemy.url = sqlite:///db.sqlite", ini))
            """#
        _ = try sh("python -c '\(setUp)' >/dev/null && printf 'db.sqlite\\n' > .gitignore")
        _ = try sh("alembic revision -m first --rev-id a1 >/dev/null && git add -A && git commit -qm 'schema a1'")
        try f.clone.tag("v1.2.0")
        // Two branches of revisions after a1, and the merge revision that joins them.
        _ = try sh(
            "alembic revision -m second --rev-id b1 >/dev/null && alembic revision -m side --rev-id c1 --head a1 --splice >/dev/null"
                + " && alembic merge -m merge b1 c1 --rev-id m1 >/dev/null && git add -A && git commit -qm 'schema b1, c1, merged'")
        try f.clone.tag("v1.3.0")
        _ = try f.clone.git("push", "-q", "--follow-tags", "origin", "main")
        _ = try f.clone.git("push", "-q", f.daemon.url("prod.git"), "+v1.3.0^{commit}:refs/heads/master")
        _ = try sh("alembic upgrade head >/dev/null 2>&1")
        func version() throws -> String { try sh("alembic current 2>/dev/null").stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(try version().hasPrefix("m1"))

        let config = "[environment \"prod\"]\n    target = \(f.daemon.url("prod.git")) master\n[migrations]\n    tool = alembic\n"
        try f.scratch.write(config, to: f.work + "/.release-guardian")
        let refused = try f.scratch.run(binary, ["revert-to", "v1.2.0", "--yes"], in: f.work, extraEnvironment: environment)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("safeguard migration-gap") && refused.stderr.contains("alembic downgrade a1"), "\(refused.stderr)")
        #expect(
            refused.stderr.contains("alembic/versions/b1_second.py") && refused.stderr.contains("alembic/versions/m1_merge.py"),
            "\(refused.stderr)")
        #expect(try version().hasPrefix("m1"), "the database was touched")
        #expect(try f.head() == f.clone.rev("v1.3.0^{commit}"))

        try f.scratch.write(
            config.replacingOccurrences(
                of: "[migrations]", with: "    before = alembic downgrade \"\\\"$RELEASE_GUARDIAN_MIGRATION_TARGET\\\"\"\n[migrations]"),
            to: f.work + "/.release-guardian")
        let done = try f.scratch.run(binary, ["revert-to", "v1.2.0", "--yes"], in: f.work, extraEnvironment: environment)
        #expect(done.status == 0, "\(done.stderr)")
        let after = try version()
        #expect(after.hasPrefix("a1"), "alembic current: \(after)")
        #expect(try f.head() == f.clone.rev("v1.2.0^{commit}"))
        let record = LedgerTests.deployments(try LedgerTests.records(in: f.clone.origin, scratch: f.scratch)).last
        #expect(
            record?["migrations"] as? [String] == [
                "alembic/versions/b1_second.py", "alembic/versions/c1_side.py", "alembic/versions/m1_merge.py",
            ],
            "\(String(describing: record))")
    }

    @Test(.enabled(if: available || ProcessInfo.processInfo.environment["CI"] == "true", "Django is not in .build/tools: run ci/setup.sh"))
    func aRollbackAcrossADjangoGapMigratesEachAppBack() throws {
        let f = try DeployFixture()
        let environment = Self.environment
        func sh(_ command: String) throws -> String { try self.sh(command, in: f).stdout }
        try f.scratch.write(
            "SECRET_KEY = 'test'\nINSTALLED_APPS = ['blog', 'shop']\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}}\nUSE_TZ = True\nDEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n",
            to: f.work + "/settings.py")
        try f.scratch.write(
            "import os, sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings')\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n",
            to: f.work + "/manage.py")
        func model(_ app: String, _ fields: [String]) throws {
            let columns = fields.map { "    \($0) = models.CharField(default='', max_length=20)\n" }.joined()
            try f.scratch.write(
                "from django.db import models\n\nclass Thing(models.Model):\n\(columns.isEmpty ? "    pass\n" : columns)",
                to: f.work + "/\(app)/models.py")
        }
        for app in ["blog", "shop"] {
            try FileManager.default.createDirectory(atPath: f.work + "/\(app)/migrations", withIntermediateDirectories: true)
            try f.scratch.write("", to: f.work + "/\(app)/__init__.py")
            try f.scratch.write("", to: f.work + "/\(app)/migrations/__init__.py")
            try model(app, [])
        }
        _ = try sh(
            "printf 'db.sqlite3\\n' > .gitignore && python manage.py makemigrations blog shop >/dev/null && git add -A && git commit -qm 'apps'"
        )
        try f.clone.tag("v1.2.0")
        try model("blog", ["title"])
        try model("shop", ["price"])
        _ = try sh("python manage.py makemigrations blog shop >/dev/null && git add -A && git commit -qm 'title and price'")
        try f.clone.tag("v1.3.0")
        _ = try f.clone.git("push", "-q", "--follow-tags", "origin", "main")
        _ = try f.clone.git("push", "-q", f.daemon.url("prod.git"), "+v1.3.0^{commit}:refs/heads/master")
        _ = try sh("python manage.py migrate >/dev/null")
        func applied() throws -> String {
            try sh(
                "python -c \"import sqlite3; print(sorted(r[0] + ' ' + r[1] for r in sqlite3.connect('db.sqlite3').execute(\\\"select app, name from django_migrations where app in ('blog', 'shop')\\\")))\""
            )
        }
        let before = try applied()
        #expect(before.contains("blog 0002") && before.contains("shop 0002"), "\(before)")

        let config = "[environment \"prod\"]\n    target = \(f.daemon.url("prod.git")) master\n[migrations]\n    tool = django\n"
        try f.scratch.write(config, to: f.work + "/.release-guardian")
        let refused = try f.scratch.run(binary, ["revert-to", "v1.2.0", "--yes"], in: f.work, extraEnvironment: environment)
        #expect(refused.status == 1 && refused.stderr.contains("safeguard migration-gap"), "\(refused.stderr)")
        #expect(refused.stderr.contains("python manage.py migrate blog 0001_initial"), "\(refused.stderr)")
        #expect(try applied() == before, "the database was touched")

        // Each line of the target is `APP NAME`, as migrate takes them.
        let migrate =
            #"printf '%s\n' "$RELEASE_GUARDIAN_MIGRATION_TARGET" | while read -r app name; do python manage.py migrate "$app" "$name" || exit 1; done"#
        let quoted = "\"" + migrate.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        try f.scratch.write(
            config.replacingOccurrences(of: "[migrations]", with: "    before = \(quoted)\n[migrations]"), to: f.work + "/.release-guardian"
        )
        let done = try f.scratch.run(binary, ["revert-to", "v1.2.0", "--yes"], in: f.work, extraEnvironment: environment)
        #expect(done.status == 0, "\(done.stderr)")
        let after = try applied()
        #expect(!after.contains("0002") && after.contains("blog 0001_initial") && after.contains("shop 0001_initial"), "\(after)")
        #expect(try f.head() == f.clone.rev("v1.2.0^{commit}"))
    }
}
