"""The table of the "pages" cache (settings.CACHES, minutes/page_cache.py), so `migrate` makes it."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("minutes", "0007_meeting_terms_pending")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
