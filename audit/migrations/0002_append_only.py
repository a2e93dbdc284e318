"""The audit log is append-only in the database too: a row is never updated, and deleted only once older than the
minimum retention of 183 days (the purge command). On SQLite and PostgreSQL alike, by triggers."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END""",
    """CREATE TRIGGER audit_auditevent_no_early_delete BEFORE DELETE ON audit_auditevent
       WHEN OLD.at > datetime('now', '-183 days')
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent rows are kept at least 183 days'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_early_delete",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_auditevent_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'audit_auditevent is append-only';
         END IF;
         IF OLD.at > now() - interval '183 days' THEN
           RAISE EXCEPTION 'audit_auditevent rows are kept at least 183 days';
         END IF;
         RETURN OLD;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditevent_guard BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_auditevent_guard()""",
    """CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_guard()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_guard ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_guard()",
]


def forwards(apps, schema_editor):
    from django.conf import settings

    if not getattr(settings, "AUDIT_DATABASE_GUARD", True):
        return  # the test settings leave the guard out: tests flush tables between runs (it is tested on its own)
    install(schema_editor.connection)


def install(connection):
    statements = POSTGRES if connection.vendor == "postgresql" else SQLITE
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
