#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings")
    if sys.argv[1:2] == ["parse_minutes"] and len(sys.argv) == 3 and not sys.argv[2].startswith("-"):
        # parse_minutes touches no database: run it without setting Django up (about a second
        # less per file; scoring runs it once per file).
        from minutes.management.commands.parse_minutes import run

        sys.exit(run(sys.argv[2]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
