"""Helpers for migrations.

SQLite alters a column by rebuilding its table, and a trigger that names a rebuilt table (the portal's integrity
triggers, e.g. contracts_projectcycle_keeps_years) breaks the rebuild. A migration that adds or alters columns puts
every trigger aside first and back, unchanged, when the tables have their new shape:

    operations = [TRIGGERS_ASIDE, ...AddField..., TRIGGERS_BACK]

On PostgreSQL both are no-ops (it alters tables in place)."""

from django.db import migrations

_aside: dict[str, list[tuple[str, str]]] = {}


def _set_aside(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        triggers = cursor.fetchall()
    _aside[connection.alias] = triggers
    for name, _sql in triggers:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def _put_back(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    for _name, sql in _aside.pop(connection.alias, []):
        schema_editor.execute(sql)


TRIGGERS_ASIDE = migrations.RunPython(_set_aside, _put_back, elidable=False)
TRIGGERS_BACK = migrations.RunPython(_put_back, _set_aside, elidable=False)
