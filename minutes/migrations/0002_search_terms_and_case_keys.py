import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


def fill_case_keys(apps, schema_editor):
    from minutes.search import case_key

    Case = apps.get_model("minutes", "Case")
    for case in Case.objects.only("number").iterator():
        Case.objects.filter(pk=case.pk).update(key=case_key(case.number))


def fill_terms(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO minutes_term (lexeme) SELECT word FROM"
        " ts_stat('SELECT search_vector FROM minutes_agendaitem') ORDER BY word ON CONFLICT DO NOTHING"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("minutes", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="case",
            name="key",
            field=models.CharField(db_index=True, default="", max_length=40, verbose_name="søgenøgle"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_case_keys, migrations.RunPython.noop),
        migrations.CreateModel(
            name="Term",
            fields=[
                (
                    "lexeme",
                    models.CharField(
                        max_length=200, primary_key=True, serialize=False, verbose_name="ordstamme"
                    ),
                ),
            ],
            options={
                "verbose_name": "ordstamme",
                "verbose_name_plural": "ordstammer",
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["lexeme"], name="term_lexeme_trigram_gin", opclasses=["gin_trgm_ops"]
                    )
                ],
            },
        ),
        migrations.RunPython(fill_terms, migrations.RunPython.noop),
    ]
