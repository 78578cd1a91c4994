"""The triggers that keep the running counts of people and records (PopulationCount,
RecordCount) on every write, whatever the path. PostgreSQL counts a whole statement
at once through its transition tables; SQLite counts row by row, which a bulk insert
avoids by counting its own rows in one statement (`bulk_insert_counted`).

Used by migration registry/0007: change a trigger only together with a migration
that drops and recreates it."""

from __future__ import annotations

from dataclasses import dataclass

from pingan import bulk


@dataclass(frozen=True)
class Counted:
    name: str
    source: str  # the table counted
    target: str  # the table of counts
    keys: tuple[str, ...]
    condition: str  # when a row counts; {r} is the row's alias

    def add_sql(self, rows: str, where: str = "") -> str:
        """Add the rows of `rows` that count (optionally filtered) to the counts."""
        cols = ", ".join(self.keys)
        also = f" AND {where}" if where else ""
        return (
            f"INSERT INTO {self.target} ({cols}, count) SELECT {cols}, count(*) FROM {rows} r "
            f"WHERE {self.condition.format(r='r')}{also} GROUP BY {cols} "
            f"ON CONFLICT ({cols}) DO UPDATE SET count = {self.target}.count + excluded.count"
        )

    def sqlite_insert_trigger(self) -> str:
        cols = ", ".join(self.keys)
        new = ", ".join(f"NEW.{k}" for k in self.keys)
        return (
            f"CREATE TRIGGER {self.name}_count_insert AFTER INSERT ON {self.source} BEGIN "
            f"INSERT INTO {self.target} ({cols}, count) SELECT {new}, 1 "
            f"WHERE {self.condition.format(r='NEW')} "
            f"ON CONFLICT ({cols}) DO UPDATE SET count = count + 1; END;"
        )

    def sqlite(self) -> list[str]:
        cols = ", ".join(self.keys)
        new = ", ".join(f"NEW.{k}" for k in self.keys)
        old_match = " AND ".join(f"{k} = OLD.{k}" for k in self.keys)
        add = (
            f"INSERT INTO {self.target} ({cols}, count) SELECT {new}, 1 "
            f"WHERE {self.condition.format(r='NEW')} "
            f"ON CONFLICT ({cols}) DO UPDATE SET count = count + 1;"
        )
        remove = (
            f"UPDATE {self.target} SET count = count - 1 "
            f"WHERE {old_match} AND {self.condition.format(r='OLD')};"
        )
        return [
            self.sqlite_insert_trigger(),
            f"CREATE TRIGGER {self.name}_count_delete AFTER DELETE ON {self.source} "
            f"BEGIN {remove} END;",
            f"CREATE TRIGGER {self.name}_count_update AFTER UPDATE ON {self.source} "
            f"BEGIN {remove} {add} END;",
        ]

    def postgres(self) -> list[str]:
        cols = ", ".join(self.keys)
        match = " AND ".join(f"t.{k} = o.{k}" for k in self.keys)
        function = f"""CREATE FUNCTION {self.name}_count() RETURNS trigger AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE {self.target} t SET count = t.count - o.n
            FROM (SELECT {cols}, count(*) AS n FROM old_rows r
                  WHERE {self.condition.format(r="r")} GROUP BY {cols}) o
            WHERE {match};
          END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') THEN
            {self.add_sql("new_rows")};
          END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql;"""
        run = f"FOR EACH STATEMENT EXECUTE FUNCTION {self.name}_count()"
        return [
            function,
            f"CREATE TRIGGER {self.name}_count_insert AFTER INSERT ON {self.source} "
            f"REFERENCING NEW TABLE AS new_rows {run};",
            f"CREATE TRIGGER {self.name}_count_update AFTER UPDATE ON {self.source} "
            f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run};",
            f"CREATE TRIGGER {self.name}_count_delete AFTER DELETE ON {self.source} "
            f"REFERENCING OLD TABLE AS old_rows {run};",
        ]


COUNTED = [
    Counted(
        "person",
        "registry_person",
        "registry_populationcount",
        ("region_path",),
        "{r}.status = 'active'",
    ),
    Counted(
        "record",
        "registry_record",
        "registry_recordcount",
        ("region_path", "definition_id"),
        "{r}.ended_on IS NULL",
    ),
]
BY_SOURCE = {counted.source: counted for counted in COUNTED}
bulk.COUNTED.update(BY_SOURCE)  # so a bulk insert into these tables counts them too
