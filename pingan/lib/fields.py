from typing import Any

from django.db import models
from django.db.models.lookups import StartsWith


class PathField(models.CharField):
    """A materialised region path such as 630203/630203102/.

    On PostgreSQL the column uses the "C" collation: byte order, so one B-tree
    index serves both the prefix match (LIKE 'path%') and ORDER BY path. Under a
    locale collation LIKE needs a pattern_ops index, which cannot sort. SQLite
    compares bytes already (with case_sensitive_like on, see settings)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


@PathField.register_lookup
class ScanStartsWith(StartsWith):
    """The prefix match without its index, for lists read newest first over a
    large subtree. SQLite would otherwise use the path index and then sort the
    whole subtree by id; scanning ids from the newest and filtering finds a page
    in a few hundred rows. Unary + is SQLite's way to keep a column off an index.
    PostgreSQL's planner weighs this itself, so there it is a plain prefix match."""

    lookup_name = "scan_startswith"

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return str(connection.operators["startswith"] % rhs)

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        sql, params = self.as_sql(compiler, connection)
        return f"+{sql}", params
