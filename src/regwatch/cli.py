"""The ``regwatch`` console command.

Every sub-command is a Django management command; ``regwatch check-code`` runs
``check_code``.  One entry point keeps CLI and web sharing settings and services.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regwatch.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["regwatch", *args])


if __name__ == "__main__":
    main()
