"""Schema migrations against the real PostgreSQL: ordered, recorded, re-runnable, tamper-evident."""

from __future__ import annotations

import shutil

import pytest

from hjs_operators.repository.migrations import MigrationError, apply_migrations, discover
from hjs_operators.repository.sql_files import sql_dir

pytestmark = pytest.mark.postgres

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


def test_applying_twice_changes_nothing(empty_db):
    every = [m.version for m in discover()]
    assert apply_migrations(empty_db) == every
    first = _snapshot(empty_db)
    assert apply_migrations(empty_db) == []
    assert _snapshot(empty_db) == first
    with empty_db.cursor() as cur:
        cur.execute("SELECT version FROM schema_migration ORDER BY version")
        assert [row[0] for row in cur.fetchall()] == every


def test_an_applied_migration_that_was_edited_is_refused(empty_db, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(sql_dir() / "migrations", folder)
    apply_migrations(empty_db, folder)
    first = sorted(folder.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited after the fact\n")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        apply_migrations(empty_db, folder)


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
