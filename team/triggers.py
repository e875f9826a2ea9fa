"""Invariants that span tables, held by the database itself.

A CHECK constraint sees one row, so two rules that need another table are
enforced by triggers, on SQLite and PostgreSQL alike:

* a result's entry and round belong to the same event (an athlete not entered
  in an event cannot have a result in it);
* a medal is only recorded in a medal round (final or bronze medal contest),
  and a round holding medals cannot be turned into a non-medal round.

Model `clean()` methods give editors the same rules as readable form errors;
the triggers are the backstop for every other way data arrives.

A third kind of trigger publishes changes: on every table of this app, any
insert, update or delete moves `team_publication` on (see `Publication`), in
the same transaction. On PostgreSQL these are constraint triggers deferred to
commit time, so the one row is locked only for the instant of the commit
(taking it at each statement would let two editors' transactions deadlock on
it), and they run once per transaction.

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

# Moving the publication on: never backwards, and past the clock so a restored database starts ahead of
# anything cached before it (the generation is also the pages' cache key).
PUBLISH = {
    "sqlite": """
        INSERT INTO team_publication (id, generation, changed_at)
        VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER),
                strftime('%Y-%m-%d %H:%M:%f', 'now'))
        ON CONFLICT (id) DO UPDATE SET generation = max(generation + 1, excluded.generation),
                                       changed_at = excluded.changed_at;
    """,
    "postgresql": """
        INSERT INTO team_publication (id, generation, changed_at)
        VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint, clock_timestamp())
        ON CONFLICT (id) DO UPDATE SET generation = greatest(team_publication.generation + 1, excluded.generation),
                                       changed_at = excluded.changed_at;
    """,
}

# Once per transaction and statement: the triggers are deferred, so all of a transaction's fire
# during its COMMIT, one statement (the statement time tells apart those that are set to fire at once).
POSTGRESQL_PUBLISH_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION team_publish() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        marker text := txid_current()::text || '@' || statement_timestamp()::text;
    BEGIN
        IF current_setting('team.published_in', true) IS DISTINCT FROM marker THEN
            {PUBLISH["postgresql"]}
            PERFORM set_config('team.published_in', marker, true);
        END IF;
        RETURN NULL;
    END $$
"""


def published_tables():
    """Every table of this app that readers' pages are made from (all but the publication itself)."""
    from django.apps import apps

    from team.models import Publication

    models = apps.get_app_config("team").get_models(include_auto_created=True)
    return sorted(model._meta.db_table for model in models if model is not Publication)


def publish_statements(vendor, tables):
    if vendor == "sqlite":
        return [
            statement
            for table in tables
            for operation in ("INSERT", "UPDATE", "DELETE")
            for statement in (
                f"DROP TRIGGER IF EXISTS {table}_publish_{operation.lower()}",
                f"CREATE TRIGGER {table}_publish_{operation.lower()} AFTER {operation} ON {table} "
                f"BEGIN {PUBLISH['sqlite']} END",
            )
        ]
    if vendor == "postgresql":
        return [POSTGRESQL_PUBLISH_FUNCTION] + [
            statement
            for table in tables
            for statement in (
                f"DROP TRIGGER IF EXISTS team_publish ON {table}",
                f"CREATE CONSTRAINT TRIGGER team_publish AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION team_publish()",
            )
        ]
    return []


def unpublish_statements(vendor, tables):
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_publish_{operation}"
            for table in tables
            for operation in ("insert", "update", "delete")
        ]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS team_publish ON {table}" for table in tables]
    return []


def _execute(connection, statements):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection):
    """Create the triggers where they are missing (and refresh PostgreSQL's functions), then publish once,
    since whatever `migrate` changed ran without them."""
    vendor = connection.vendor
    existing = set(connection.introspection.table_names())
    if vendor not in STATEMENTS or "team_publication" not in existing:
        return
    _execute(connection, STATEMENTS[vendor][0])
    _execute(connection, publish_statements(vendor, [table for table in published_tables() if table in existing]))
    _execute(connection, [PUBLISH[vendor]])


def uninstall(connection):
    """Drop the triggers, from the tables that exist."""
    vendor = connection.vendor
    if vendor not in STATEMENTS:
        return
    existing = set(connection.introspection.table_names())
    if "team_result" in existing:
        _execute(connection, STATEMENTS[vendor][1])
    _execute(connection, unpublish_statements(vendor, [table for table in published_tables() if table in existing]))
