"""Invariants that span two tables, kept by the database itself on SQLite and PostgreSQL.

- A contract year lies within its cycle's period and belongs to the cycle's station (R-CYCLE-1).
- A station's contract years do not overlap, and neither do its cycles (R-CYCLE-1: consecutive,
  non-overlapping). On PostgreSQL these are exclusion constraints over date ranges (safe under
  concurrent writes); on SQLite, whose writers are serialised, triggers.
A violation raises IntegrityError, whatever path wrote the row (a form, the admin, a shell, an import).
"""

from django.db import migrations

WITHIN_CYCLE = "contracts_contractyear_within_cycle"
WITHIN_CYCLE_MESSAGE = "R-CYCLE-1：合同年度的期间必须在其项目周期之内，且与项目周期属于同一社工站。"
YEAR_OVERLAP = "contracts_contractyear_no_overlap"
YEAR_OVERLAP_MESSAGE = "R-CYCLE-1：同一社工站的合同年度不能重叠。"
CYCLE_OVERLAP = "contracts_projectcycle_no_overlap"
CYCLE_OVERLAP_MESSAGE = "R-CYCLE-1：同一社工站的项目周期不能重叠。"
CYCLE_KEEPS_YEARS = "contracts_projectcycle_keeps_years"
CYCLE_KEEPS_YEARS_MESSAGE = "R-CYCLE-1：项目周期的期间必须包含其全部合同年度。"

_YEAR_WITHIN = """NOT EXISTS (SELECT 1 FROM contracts_projectcycle c WHERE c.id = NEW.cycle_id
    AND c.station_id = NEW.station_id AND NEW.start_date >= c.start_date AND NEW.end_date <= c.planned_end_date)"""
_YEAR_OVERLAPS = """EXISTS (SELECT 1 FROM contracts_contractyear y WHERE y.station_id = NEW.station_id
    AND y.id IS NOT NEW.id AND y.start_date <= NEW.end_date AND y.end_date >= NEW.start_date)"""
_CYCLE_OVERLAPS = """EXISTS (SELECT 1 FROM contracts_projectcycle c WHERE c.station_id = NEW.station_id
    AND c.id IS NOT NEW.id AND c.start_date <= NEW.end_date AND c.end_date >= NEW.start_date)"""
_CYCLE_DROPS_YEARS = """EXISTS (SELECT 1 FROM contracts_contractyear y WHERE y.cycle_id = NEW.id
    AND (y.start_date < NEW.start_date OR y.end_date > NEW.planned_end_date OR y.station_id <> NEW.station_id))"""

SQLITE_TRIGGERS = (
    [
        (
            f"{WITHIN_CYCLE}_{op}",
            "contracts_contractyear",
            op,
            _YEAR_WITHIN,
            f"{WITHIN_CYCLE}: {WITHIN_CYCLE_MESSAGE}",
        )
        for op in ("INSERT", "UPDATE")
    ]
    + [
        (
            f"{YEAR_OVERLAP}_{op}",
            "contracts_contractyear",
            op,
            _YEAR_OVERLAPS,
            f"{YEAR_OVERLAP}: {YEAR_OVERLAP_MESSAGE}",
        )
        for op in ("INSERT", "UPDATE")
    ]
    + [
        (
            f"{CYCLE_OVERLAP}_{op}",
            "contracts_projectcycle",
            op,
            _CYCLE_OVERLAPS,
            f"{CYCLE_OVERLAP}: {CYCLE_OVERLAP_MESSAGE}",
        )
        for op in ("INSERT", "UPDATE")
    ]
    + [
        (
            f"{CYCLE_KEEPS_YEARS}_UPDATE",
            "contracts_projectcycle",
            "UPDATE",
            _CYCLE_DROPS_YEARS,
            f"{CYCLE_KEEPS_YEARS}: {CYCLE_KEEPS_YEARS_MESSAGE}",
        ),
    ]
)

POSTGRES_FORWARD = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE contracts_contractyear ADD CONSTRAINT {YEAR_OVERLAP}
    EXCLUDE USING gist (station_id WITH =, daterange(start_date, end_date, '[]') WITH &&);
ALTER TABLE contracts_projectcycle ADD CONSTRAINT {CYCLE_OVERLAP}
    EXCLUDE USING gist (station_id WITH =, daterange(start_date, end_date, '[]') WITH &&);

CREATE FUNCTION contracts_contractyear_within_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {_YEAR_WITHIN.replace("IS NOT", "IS DISTINCT FROM")} THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = '{WITHIN_CYCLE}',
            MESSAGE = '{WITHIN_CYCLE}: {WITHIN_CYCLE_MESSAGE}';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER {WITHIN_CYCLE} BEFORE INSERT OR UPDATE ON contracts_contractyear
    FOR EACH ROW EXECUTE FUNCTION contracts_contractyear_within_cycle();

CREATE FUNCTION contracts_projectcycle_keeps_years() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {_CYCLE_DROPS_YEARS} THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = '{CYCLE_KEEPS_YEARS}',
            MESSAGE = '{CYCLE_KEEPS_YEARS}: {CYCLE_KEEPS_YEARS_MESSAGE}';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER {CYCLE_KEEPS_YEARS} BEFORE UPDATE ON contracts_projectcycle
    FOR EACH ROW EXECUTE FUNCTION contracts_projectcycle_keeps_years();
"""

POSTGRES_BACKWARD = f"""
DROP TRIGGER IF EXISTS {CYCLE_KEEPS_YEARS} ON contracts_projectcycle;
DROP FUNCTION IF EXISTS contracts_projectcycle_keeps_years();
DROP TRIGGER IF EXISTS {WITHIN_CYCLE} ON contracts_contractyear;
DROP FUNCTION IF EXISTS contracts_contractyear_within_cycle();
ALTER TABLE contracts_projectcycle DROP CONSTRAINT IF EXISTS {CYCLE_OVERLAP};
ALTER TABLE contracts_contractyear DROP CONSTRAINT IF EXISTS {YEAR_OVERLAP};
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for name, table, op, condition, message in SQLITE_TRIGGERS:
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE {op} ON {table} FOR EACH ROW WHEN {condition} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )
    else:
        raise NotImplementedError(
            f"No integrity triggers for {vendor}: the portal runs on SQLite or PostgreSQL."
        )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        for name, *_ in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
