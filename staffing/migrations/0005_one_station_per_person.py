"""R-STAFF-7: a person (by ID number, whichever contractor's record) is resident at one station at a time.

Two postings of workers with the same ID-number digest may not be open on the same day. A trigger on both SQLite
and PostgreSQL, since the rows it compares sit in two tables (a posting and its worker). The services refuse it
first with the rule's words; this holds for every other path (the admin, a shell, an import).
"""

from django.db import migrations

NAME = "staffing_posting_one_station_per_person"
MESSAGE = "R-STAFF-7：同一人（身份证号相同）同一时间只能驻一个站。"

# A posting lasts until its own end or its cycle's (a cycle ended early leaves no one resident under it).
SQLITE_CONDITION = """EXISTS (SELECT 1 FROM staffing_posting p
    JOIN staffing_socialworker w ON w.id = p.worker_id
    JOIN contracts_projectcycle c ON c.id = p.cycle_id
    JOIN staffing_socialworker me ON me.id = NEW.worker_id
    JOIN contracts_projectcycle mine ON mine.id = NEW.cycle_id
    WHERE me.id_digest <> '' AND w.id_digest = me.id_digest AND p.id IS NOT NEW.id
      AND p.start_date <= MIN(COALESCE(NEW.end_date, '9999-12-31'), mine.end_date)
      AND MIN(COALESCE(p.end_date, '9999-12-31'), c.end_date) >= NEW.start_date)"""

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM staffing_posting p
        JOIN staffing_socialworker w ON w.id = p.worker_id
        JOIN contracts_projectcycle c ON c.id = p.cycle_id
        JOIN staffing_socialworker me ON me.id = NEW.worker_id
        JOIN contracts_projectcycle mine ON mine.id = NEW.cycle_id
        WHERE me.id_digest <> '' AND w.id_digest = me.id_digest AND p.id IS DISTINCT FROM NEW.id
          AND p.start_date <= LEAST(COALESCE(NEW.end_date, DATE '9999-12-31'), mine.end_date)
          AND LEAST(COALESCE(p.end_date, DATE '9999-12-31'), c.end_date) >= NEW.start_date) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = '{NAME}', MESSAGE = '{NAME}: {MESSAGE}';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS {NAME} ON staffing_posting;
CREATE TRIGGER {NAME} BEFORE INSERT OR UPDATE ON staffing_posting FOR EACH ROW EXECUTE FUNCTION {NAME}();
"""  # noqa: S608 - built from this module's constants only


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for op in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER {NAME}_{op} BEFORE {op} ON staffing_posting FOR EACH ROW WHEN {SQLITE_CONDITION} "
                f"BEGIN SELECT RAISE(ABORT, '{NAME}: {MESSAGE}'); END;"
            )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {NAME} ON staffing_posting; DROP FUNCTION IF EXISTS {NAME}();"
        )
    elif vendor == "sqlite":
        for op in ("INSERT", "UPDATE"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME}_{op};")


class Migration(migrations.Migration):
    dependencies = [
        ("staffing", "0004_volunteer_link_version"),
        ("contracts", "0004_cycle_shape_and_early_end"),
    ]

    operations = [migrations.RunPython(forward, backward)]
