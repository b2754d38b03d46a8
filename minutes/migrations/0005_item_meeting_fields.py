"""AgendaItem.meeting_date and meeting_body: the meeting's date and body on the item, for search."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("minutes", "0004_item_sample"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="meeting_date",
            field=models.DateField(null=True, verbose_name="mødedato"),
        ),
        migrations.AddField(
            model_name="agendaitem",
            name="meeting_body",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="minutes.body",
                verbose_name="mødets udvalg",
            ),
        ),
        migrations.RunSQL(
            "UPDATE minutes_agendaitem i SET meeting_date = m.date, meeting_body_id = m.body_id"
            " FROM minutes_meeting m WHERE m.id = i.meeting_id",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="agendaitem",
            name="meeting_date",
            field=models.DateField(verbose_name="mødedato"),
        ),
        migrations.AlterField(
            model_name="agendaitem",
            name="meeting_body",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="minutes.body",
                verbose_name="mødets udvalg",
            ),
        ),
        migrations.AddIndex(
            model_name="agendaitem",
            index=models.Index(fields=["meeting_date"], name="item_meeting_date_idx"),
        ),
        migrations.AddIndex(
            model_name="agendaitem",
            index=models.Index(fields=["meeting_body", "meeting_date"], name="item_body_date_idx"),
        ),
    ]
