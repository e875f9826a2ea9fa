"""Invariants that span tables, held by the database itself.

A CHECK constraint sees one row, so two rules that need another table are
enforced by triggers, on SQLite and PostgreSQL alike:

* a result's entry and round belong to the same event (an athlete not entered
  in an event cannot have a result in it);
* a medal is only recorded in a medal round (final or bronze medal contest),
  and a round holding medals cannot be turned into a non-medal round.

Model `clean()` methods give editors the same rules as readable form errors;
the triggers are the backstop for every other way data arrives.

The triggers live outside the migrations: `uninstall()` runs before every
`migrate` and `install()` after it (see `TeamConfig`), because SQLite rebuilds
a table to alter it and refuses to rename a table that a trigger refers to.
"""

from team.models import Round

# The round kinds that award medals, as an SQL list, from the one place they are defined.
MEDAL_KINDS = "(" + ", ".join(f"'{kind}'" for kind in Round.MEDAL_KINDS) + ")"

# What every insert or update of a result must satisfy (SQLite trigger body).
RESULT_CHECKS = f"""
        SELECT RAISE(ABORT, 'result_entry_and_round_in_same_event')
        WHERE (SELECT event_id FROM team_entry WHERE id = NEW.entry_id)
              IS NOT (SELECT event_id FROM team_round WHERE id = NEW.round_id);
        SELECT RAISE(ABORT, 'medal_only_in_medal_round')
        WHERE NEW.medal <> ''
          AND (SELECT kind FROM team_round WHERE id = NEW.round_id) NOT IN {MEDAL_KINDS};
"""

SQLITE = [
    f"""
    CREATE TRIGGER team_result_integrity_insert BEFORE INSERT ON team_result
    BEGIN
{RESULT_CHECKS}    END
    """,
    f"""
    CREATE TRIGGER team_result_integrity_update BEFORE UPDATE OF entry_id, round_id, medal ON team_result
    BEGIN
{RESULT_CHECKS}    END
    """,
    f"""
    CREATE TRIGGER team_round_integrity_update BEFORE UPDATE OF kind, event_id ON team_round
    BEGIN
        SELECT RAISE(ABORT, 'medal_only_in_medal_round')
        WHERE NEW.kind NOT IN {MEDAL_KINDS}
          AND EXISTS (SELECT 1 FROM team_result WHERE round_id = NEW.id AND medal <> '');
        SELECT RAISE(ABORT, 'result_entry_and_round_in_same_event')
        WHERE EXISTS (
            SELECT 1 FROM team_result r JOIN team_entry e ON e.id = r.entry_id
            WHERE r.round_id = NEW.id AND e.event_id <> NEW.event_id
        );
    END
    """,
    """
    CREATE TRIGGER team_entry_integrity_update BEFORE UPDATE OF event_id ON team_entry
    BEGIN
        SELECT RAISE(ABORT, 'result_entry_and_round_in_same_event')
        WHERE EXISTS (
            SELECT 1 FROM team_result r JOIN team_round o ON o.id = r.round_id
            WHERE r.entry_id = NEW.id AND o.event_id <> NEW.event_id
        );
    END
    """,
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS team_result_integrity_insert",
    "DROP TRIGGER IF EXISTS team_result_integrity_update",
    "DROP TRIGGER IF EXISTS team_round_integrity_update",
    "DROP TRIGGER IF EXISTS team_entry_integrity_update",
]

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION team_result_integrity() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT event_id FROM team_entry WHERE id = NEW.entry_id)
           IS DISTINCT FROM (SELECT event_id FROM team_round WHERE id = NEW.round_id) THEN
            RAISE EXCEPTION 'result_entry_and_round_in_same_event' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.medal <> ''
           AND (SELECT kind FROM team_round WHERE id = NEW.round_id) NOT IN {MEDAL_KINDS} THEN
            RAISE EXCEPTION 'medal_only_in_medal_round' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    "DROP TRIGGER IF EXISTS team_result_integrity ON team_result",
    """
    CREATE TRIGGER team_result_integrity BEFORE INSERT OR UPDATE OF entry_id, round_id, medal
    ON team_result FOR EACH ROW EXECUTE FUNCTION team_result_integrity()
    """,
    f"""
    CREATE OR REPLACE FUNCTION team_round_integrity() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.kind NOT IN {MEDAL_KINDS}
           AND EXISTS (SELECT 1 FROM team_result WHERE round_id = NEW.id AND medal <> '') THEN
            RAISE EXCEPTION 'medal_only_in_medal_round' USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (
            SELECT 1 FROM team_result r JOIN team_entry e ON e.id = r.entry_id
            WHERE r.round_id = NEW.id AND e.event_id <> NEW.event_id
        ) THEN
            RAISE EXCEPTION 'result_entry_and_round_in_same_event' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    "DROP TRIGGER IF EXISTS team_round_integrity ON team_round",
    """
    CREATE TRIGGER team_round_integrity BEFORE UPDATE OF kind, event_id
    ON team_round FOR EACH ROW EXECUTE FUNCTION team_round_integrity()
    """,
    """
    CREATE OR REPLACE FUNCTION team_entry_integrity() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM team_result r JOIN team_round o ON o.id = r.round_id
            WHERE r.entry_id = NEW.id AND o.event_id <> NEW.event_id
        ) THEN
            RAISE EXCEPTION 'result_entry_and_round_in_same_event' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    "DROP TRIGGER IF EXISTS team_entry_integrity ON team_entry",
    """
    CREATE TRIGGER team_entry_integrity BEFORE UPDATE OF event_id
    ON team_entry FOR EACH ROW EXECUTE FUNCTION team_entry_integrity()
    """,
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS team_result_integrity ON team_result",
    "DROP TRIGGER IF EXISTS team_round_integrity ON team_round",
    "DROP TRIGGER IF EXISTS team_entry_integrity ON team_entry",
    "DROP FUNCTION IF EXISTS team_result_integrity()",
    "DROP FUNCTION IF EXISTS team_round_integrity()",
    "DROP FUNCTION IF EXISTS team_entry_integrity()",
]

# SQLite has no CREATE OR REPLACE TRIGGER: drop first, so installing twice is harmless.
STATEMENTS = {"sqlite": (SQLITE_REVERSE + SQLITE, SQLITE_REVERSE), "postgresql": (POSTGRESQL, POSTGRESQL_REVERSE)}


def _run(connection, which):
    statements = STATEMENTS.get(connection.vendor)
    if statements is None:
        return
    with connection.cursor() as cursor:
        for statement in statements[which]:
            cursor.execute(statement)


def install(connection):
    """Create the triggers where they are missing (and refresh PostgreSQL's functions)."""
    _run(connection, 0)


def uninstall(connection):
    """Drop the triggers, if the tables they sit on exist."""
    if "team_result" in connection.introspection.table_names():
        _run(connection, 1)
