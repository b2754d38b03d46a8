"""The search index (version 6) counts its facets' values as text: the table that turned its hashed
numbers back into text (SearchValue) is not needed any more."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("minutes", "0012_alerts")]

    operations = [migrations.DeleteModel(name="SearchValue")]
