"""Schema migrations: committed files never change (pinned checksums), and against the real PostgreSQL
they are ordered, recorded, re-runnable and tamper-evident. The rules: include/sql/migrations/README.md."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from hjs_operators.repository.migrations import MigrationError, apply_migrations, discover
from hjs_operators.repository.sql_files import sql_dir

# Every committed migration and the SHA-256 of its bytes, as apply_migrations computes it
# (Migration.checksum) and records it in schema_migration. A database that applied a file refuses to go
# on once the file changes, so a line here is never edited once its file is committed: a new migration
# adds its own line in the commit that adds the file (`sha256sum include/sql/migrations/NNNN_name.sql`).
PINNED = {
    "0001_zw_schema.sql": "23f10b7aebba4c6a0829b5258132e898d6ae08f72f57df1286944449be6b2522",
    "0002_pipeline_bookkeeping.sql": "e3bf27809f2dfc8a76635b374ada70e63769bee4ab581e3f299b56ee74faa10d",
    "0003_notice_resends.sql": "f7bfba7dc2c6e9cd80cc7156046a342ae22c17f3d5d272292ed29cb4b0dd3ded",
    "0006_trial.sql": "cc49924979f4bbe5a275ab6463cfada57ff8cc0b8aaa90eae5f3110872a48a82",
    "0007_status_guard_per_statement.sql": "8dc31d5c4136386104226698485509e8fa6f2fd47f79d3f49a099bbc8ee25975",
    "0008_trial_bad_day.sql": "da9dc97f15d4636576cd989b2e687ecdd30c78528e828ee34b755d336601d61d",
    "0009_payback_destination.sql": "2348fc21f933b57923dd6de3024cb12d59872c1674358f09b30d107d65ad63cd",
    "0010_console_indexes.sql": "2cff8c2159ba1b1d6c004e4646b459d55bb16d8fb66831aa1727b5972f6a036e",
}
# Numbers never used by a committed file, each explained in the README.
SKIPPED = {"0004", "0005"}
# Paths named in a committed migration's comments that no longer exist, each explained in the README
# (a committed file cannot be corrected).
KNOWN_STALE_REFERENCES = {("0007_status_guard_per_statement.sql", "trial/sell_group_plan.sql")}

_REPO = Path(__file__).resolve().parents[2]
_README = sql_dir() / "migrations" / "README.md"
_PATH_IN_COMMENT = re.compile(r"[\w./-]+\.(?:sql|py|md)\b")


def _checksums() -> dict[str, str]:
    return {m.path.name: m.checksum for m in discover()}


def test_no_committed_migration_was_edited():
    found = _checksums()
    edited = sorted(name for name, checksum in PINNED.items() if name in found and found[name] != checksum)
    assert not edited, (
        f"committed migration(s) {', '.join(edited)} changed: databases that applied them record the old "
        "checksum and refuse to migrate. Restore the file(s) and add a new migration instead"
    )


def test_no_committed_migration_was_removed_or_renamed():
    missing = sorted(set(PINNED) - set(_checksums()))
    assert not missing, (
        f"committed migration(s) {', '.join(missing)} are gone: databases have applied them. Restore the "
        "file(s); undo a change with a new migration instead"
    )


def test_every_migration_is_pinned():
    new = sorted(set(_checksums()) - set(PINNED))
    assert not new, (
        f"migration(s) {', '.join(new)} not pinned: add each with its checksum to PINNED in "
        "tests/foundation/test_migrations.py (sha256sum include/sql/migrations/<file>)"
    )


def test_numbers_run_in_order_and_each_gap_is_explained():
    versions = {m.version for m in discover()}
    highest = max(int(v) for v in versions)
    gaps = {f"{n:04d}" for n in range(1, highest + 1)} - versions
    assert gaps == SKIPPED, f"unexplained gaps {sorted(gaps - SKIPPED)} or filled skips {sorted(SKIPPED - gaps)}"
    readme = _README.read_text(encoding="utf-8")
    assert all(number in readme for number in SKIPPED)


def test_files_named_in_migration_comments_exist():
    stale = set()
    for migration in discover():
        comments = "\n".join(line for line in migration.sql.splitlines() if line.lstrip().startswith("--"))
        for named in _PATH_IN_COMMENT.findall(comments):
            if not any((base / named).exists() for base in (_REPO, sql_dir(), _REPO / "plugins" / "hjs_operators")):
                stale.add((migration.path.name, named))
    unexplained = sorted(stale - KNOWN_STALE_REFERENCES)
    assert not unexplained, (
        f"migration comments name files that do not exist: {unexplained}. In an uncommitted migration fix "
        "the comment; in a committed one note it in include/sql/migrations/README.md and KNOWN_STALE_REFERENCES"
    )
    assert stale == KNOWN_STALE_REFERENCES, f"no longer stale, drop from KNOWN_STALE_REFERENCES: "\
                                            f"{sorted(KNOWN_STALE_REFERENCES - stale)}"


_SCHEMA = """
SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '')
FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2
"""
_CONSTRAINTS = "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint " \
               "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"


def _snapshot(conn):
    with conn.cursor() as cur:
        cur.execute(_SCHEMA)
        columns = cur.fetchall()
        cur.execute(_CONSTRAINTS)
        constraints = cur.fetchall()
    conn.rollback()
    return columns, constraints


@pytest.fixture
def empty_db(pg, test_stack):
    name = test_stack.new_database_name("empty")
    endpoint = pg.ensure_database(name)
    conn = endpoint.connect()
    yield conn
    conn.close()
    pg.drop_database(name)


@pytest.mark.postgres
def test_applying_twice_changes_nothing(empty_db):
    every = [m.version for m in discover()]
    assert apply_migrations(empty_db) == every
    first = _snapshot(empty_db)
    assert apply_migrations(empty_db) == []
    assert _snapshot(empty_db) == first
    with empty_db.cursor() as cur:
        cur.execute("SELECT version FROM schema_migration ORDER BY version")
        assert [row[0] for row in cur.fetchall()] == every


@pytest.mark.postgres
def test_schema_migration_records_the_pinned_checksums(empty_db):
    """The pins are what a database holds: PINNED and schema_migration agree file for file."""
    apply_migrations(empty_db)
    with empty_db.cursor() as cur:
        cur.execute("SELECT filename, checksum FROM schema_migration")
        recorded = dict(cur.fetchall())
    empty_db.rollback()
    assert {name: recorded[name] for name in PINNED} == PINNED


@pytest.mark.postgres
def test_an_applied_migration_that_was_edited_is_refused(empty_db, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(sql_dir() / "migrations", folder)
    apply_migrations(empty_db, folder)
    first = sorted(folder.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited after the fact\n")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        apply_migrations(empty_db, folder)


@pytest.mark.postgres
def test_a_new_migration_is_applied_alone_and_a_failing_one_leaves_no_trace(empty_db, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(sql_dir() / "migrations", folder)
    apply_migrations(empty_db, folder)
    (folder / "9001_add_note.sql").write_text("ALTER TABLE hjs_channel ADD COLUMN note TEXT;")
    assert apply_migrations(empty_db, folder) == ["9001"]
    (folder / "9002_broken.sql").write_text("CREATE TABLE half_done (id INT); SELECT no_such_function();")
    with pytest.raises(Exception, match="no_such_function"):
        apply_migrations(empty_db, folder)
    empty_db.rollback()
    with empty_db.cursor() as cur:
        cur.execute("SELECT to_regclass('half_done') IS NULL, "
                    "NOT EXISTS (SELECT 1 FROM schema_migration WHERE version = '9002')")
        assert cur.fetchone() == (True, True)


def test_badly_named_migration_files_are_refused(tmp_path):
    (tmp_path / "1_init.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_lower_case"):
        discover(tmp_path)
