from django.db import models


class PathField(models.CharField):
    """A materialised region path such as 630203/630203102/.

    On PostgreSQL the column uses the "C" collation: byte order, so one B-tree
    index serves both the prefix match (LIKE 'path%') and ORDER BY path. Under a
    locale collation LIKE needs a pattern_ops index, which cannot sort. SQLite
    compares bytes already (with case_sensitive_like on, see settings)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters
