"""Another writer between a check and a write, made deterministic: a trigger that drops or refuses the
row inserted for one asset, so a test can see what a product whose writes fall short, or fail, does."""

from __future__ import annotations

from psycopg import sql

from hjs_operators.repository.db import transaction


def interfere_with_inserts(conn, table: str, asset_id: int, *, refuse: bool = False) -> None:
    """From now on (committed), a row inserted into `table` for asset_id is silently dropped, or with
    refuse=True fails its statement with an error naming the asset."""
    action = "RAISE EXCEPTION 'refused by the test for asset %', NEW.asset_id" if refuse else "RETURN NULL"
    with transaction(conn) as cur:
        cur.execute(sql.SQL("CREATE FUNCTION test_interfere() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                            "IF NEW.asset_id = {asset} THEN {action}; END IF; RETURN NEW; END $$")
                    .format(asset=sql.Literal(asset_id), action=sql.SQL(action)))
        cur.execute(sql.SQL("CREATE TRIGGER test_interfere BEFORE INSERT ON {table} FOR EACH ROW "
                            "EXECUTE FUNCTION test_interfere()").format(table=sql.Identifier(table)))
