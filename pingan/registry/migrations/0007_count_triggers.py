"""Triggers that keep the running counts (PopulationCount, RecordCount) on every
write to people and records, whatever the path: the services, imports (COPY on
PostgreSQL, executemany on SQLite), the admin, raw SQL. PostgreSQL counts a whole
statement at once through its transition tables; SQLite counts row by row."""

from django.db import migrations

COUNTED = [
    # name, source table, count table, key columns, the condition for a row to count
    ("person", "registry_person", "registry_populationcount", ["region_path"], "{r}.status = 'active'"),
    (
        "record",
        "registry_record",
        "registry_recordcount",
        ["region_path", "definition_id"],
        "{r}.ended_on IS NULL",
    ),
]


def sqlite(name, source, target, keys, condition):
    cols = ", ".join(keys)
    new = ", ".join(f"NEW.{k}" for k in keys)
    old_match = " AND ".join(f"{k} = OLD.{k}" for k in keys)
    add = (
        f"INSERT INTO {target} ({cols}, count) SELECT {new}, 1 WHERE {condition.format(r='NEW')} "
        f"ON CONFLICT ({cols}) DO UPDATE SET count = count + 1;"
    )
    remove = f"UPDATE {target} SET count = count - 1 WHERE {old_match} AND {condition.format(r='OLD')};"
    return [
        f"CREATE TRIGGER {name}_count_insert AFTER INSERT ON {source} BEGIN {add} END;",
        f"CREATE TRIGGER {name}_count_delete AFTER DELETE ON {source} BEGIN {remove} END;",
        f"CREATE TRIGGER {name}_count_update AFTER UPDATE ON {source} BEGIN {remove} {add} END;",
    ]


def postgres(name, source, target, keys, condition):
    cols = ", ".join(keys)
    match = " AND ".join(f"t.{k} = o.{k}" for k in keys)
    plain = condition.format(r="rows")
    function = f"""CREATE FUNCTION {name}_count() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE {target} t SET count = t.count - o.n
        FROM (SELECT {cols}, count(*) AS n FROM old_rows rows WHERE {plain} GROUP BY {cols}) o
        WHERE {match};
      END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO {target} ({cols}, count)
        SELECT {cols}, count(*) FROM new_rows rows WHERE {plain} GROUP BY {cols}
        ON CONFLICT ({cols}) DO UPDATE SET count = {target}.count + EXCLUDED.count;
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql;"""
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_count()"
    return [
        function,
        f"CREATE TRIGGER {name}_count_insert AFTER INSERT ON {source} "
        f"REFERENCING NEW TABLE AS new_rows {run};",
        f"CREATE TRIGGER {name}_count_update AFTER UPDATE ON {source} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run};",
        f"CREATE TRIGGER {name}_count_delete AFTER DELETE ON {source} "
        f"REFERENCING OLD TABLE AS old_rows {run};",
    ]


def count_existing(schema_editor, source, target, keys, condition):
    cols = ", ".join(keys)
    schema_editor.execute(
        f"INSERT INTO {target} ({cols}, count) SELECT {cols}, count(*) FROM {source} rows "
        f"WHERE {condition.format(r='rows')} GROUP BY {cols}"
    )


def forward(apps, schema_editor):
    make = postgres if schema_editor.connection.vendor == "postgresql" else sqlite
    for name, source, target, keys, condition in COUNTED:
        count_existing(schema_editor, source, target, keys, condition)
        for statement in make(name, source, target, keys, condition):
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, source, *_ in COUNTED:
        for event in ("insert", "update", "delete"):
            on = f" ON {source}" if postgresql else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_count_{event}{on};")
        if postgresql:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}_count();")


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_running_counts")]
    operations = [migrations.RunPython(forward, backward)]
