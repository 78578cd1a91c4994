"""The `pingan` command: Django's management commands under one name.

pingan serve            serve on http://127.0.0.1:8000
pingan demo             load the demo district 平安区
pingan createuser ...   add a staff account bound to a region node
pingan audit verify     check the audit journal's hash chain
pingan regions export   the region tree as GeoJSON
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    execute_from_command_line(["pingan", *args[1:]])


if __name__ == "__main__":
    main()
