"""AgendaItem.sample: a hash of the id in 0-999, with partial GIN indexes on 0.1, 1 and 10 % samples."""

import django.contrib.postgres.indexes
import django.db.models.functions.math
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("minutes", "0003_import_batch"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="sample",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.math.Mod(
                    models.Func(
                        models.F("id"), function="hashint8", output_field=models.IntegerField()
                    ).bitand(2147483647),
                    1000,
                ),
                output_field=models.PositiveSmallIntegerField(),
            ),
        ),
        migrations.AddIndex(
            model_name="agendaitem",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("sample", 0)),
                fields=["search_vector"],
                name="item_sample_tenth_vector_gin",
            ),
        ),
        migrations.AddIndex(
            model_name="agendaitem",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("sample__lt", 10)),
                fields=["search_vector"],
                name="item_sample1_vector_gin",
            ),
        ),
        migrations.AddIndex(
            model_name="agendaitem",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("sample__lt", 100)),
                fields=["search_vector"],
                name="item_sample10_vector_gin",
            ),
        ),
        migrations.AddIndex(
            model_name="agendaitem",
            index=models.Index(fields=["sample"], name="item_sample_idx"),
        ),
    ]
