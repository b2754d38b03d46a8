"""The search index's change queue (models.SearchChange) and the triggers that fill it.

Triggers, not application code: every write reaches the queue in its own transaction, whichever path
made it (importer, upload, admin, reparse, archive import, a delete cascading in the database, SQL by
hand). Item and treatment changes are statement-level triggers with transition tables (one INSERT ...
SELECT per statement, so a bulk import adds no per-row cost); attendance, a meeting's start time or
date and a case's number change the documents of every item that has them.
"""

import uuid

from django.db import migrations, models

TRIGGERS = """
CREATE FUNCTION minutes_queue_new_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO minutes_searchchange (item_id) SELECT id FROM new_rows; RETURN NULL; END $$;
CREATE FUNCTION minutes_queue_old_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO minutes_searchchange (item_id) SELECT id FROM old_rows; RETURN NULL; END $$;
CREATE TRIGGER item_inserted AFTER INSERT ON minutes_agendaitem
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION minutes_queue_new_items();
CREATE TRIGGER item_updated AFTER UPDATE ON minutes_agendaitem
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION minutes_queue_new_items();
CREATE TRIGGER item_deleted AFTER DELETE ON minutes_agendaitem
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION minutes_queue_old_items();

CREATE FUNCTION minutes_queue_treated_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO minutes_searchchange (item_id) SELECT DISTINCT item_id FROM new_rows;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO minutes_searchchange (item_id) SELECT DISTINCT item_id FROM old_rows;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER treatment_inserted AFTER INSERT ON minutes_treatment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION minutes_queue_treated_items();
CREATE TRIGGER treatment_updated AFTER UPDATE ON minutes_treatment
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION minutes_queue_treated_items();
CREATE TRIGGER treatment_deleted AFTER DELETE ON minutes_treatment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION minutes_queue_treated_items();

CREATE FUNCTION minutes_queue_attending_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO minutes_searchchange (item_id)
        SELECT i.id FROM minutes_agendaitem i WHERE i.meeting_id IN (SELECT meeting_id FROM new_rows);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO minutes_searchchange (item_id)
        SELECT i.id FROM minutes_agendaitem i WHERE i.meeting_id IN (SELECT meeting_id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_inserted AFTER INSERT ON minutes_attendance
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION minutes_queue_attending_items();
CREATE TRIGGER attendance_updated AFTER UPDATE ON minutes_attendance
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION minutes_queue_attending_items();
CREATE TRIGGER attendance_deleted AFTER DELETE ON minutes_attendance
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION minutes_queue_attending_items();

-- The sort keys use the meeting's start time; the items' own copies of date and body are item updates.
CREATE FUNCTION minutes_queue_meeting_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO minutes_searchchange (item_id) SELECT id FROM minutes_agendaitem WHERE meeting_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER meeting_time_changed AFTER UPDATE ON minutes_meeting FOR EACH ROW
    WHEN (OLD.start_time IS DISTINCT FROM NEW.start_time OR OLD.date IS DISTINCT FROM NEW.date)
    EXECUTE FUNCTION minutes_queue_meeting_items();

CREATE FUNCTION minutes_queue_case_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO minutes_searchchange (item_id) SELECT id FROM minutes_agendaitem WHERE case_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER case_number_changed AFTER UPDATE ON minutes_case FOR EACH ROW
    WHEN (OLD.key IS DISTINCT FROM NEW.key) EXECUTE FUNCTION minutes_queue_case_items();
"""

DROP_TRIGGERS = """
DROP TRIGGER item_inserted ON minutes_agendaitem;
DROP TRIGGER item_updated ON minutes_agendaitem;
DROP TRIGGER item_deleted ON minutes_agendaitem;
DROP TRIGGER treatment_inserted ON minutes_treatment;
DROP TRIGGER treatment_updated ON minutes_treatment;
DROP TRIGGER treatment_deleted ON minutes_treatment;
DROP TRIGGER attendance_inserted ON minutes_attendance;
DROP TRIGGER attendance_updated ON minutes_attendance;
DROP TRIGGER attendance_deleted ON minutes_attendance;
DROP TRIGGER meeting_time_changed ON minutes_meeting;
DROP TRIGGER case_number_changed ON minutes_case;
DROP FUNCTION minutes_queue_new_items, minutes_queue_old_items, minutes_queue_treated_items,
    minutes_queue_attending_items, minutes_queue_meeting_items, minutes_queue_case_items;
"""


def create_identity(apps, schema_editor):
    apps.get_model("minutes", "SearchIndexState").objects.create(identity=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("minutes", "0009_meeting_kind_and_partial")]

    operations = [
        migrations.CreateModel(
            name="SearchChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("item_id", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "ændring til søgeindekset",
                "verbose_name_plural": "ændringer til søgeindekset",
            },
        ),
        migrations.CreateModel(
            name="SearchValue",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=20)),
                ("value", models.TextField()),
            ],
            options={"verbose_name": "søgeindeksets værdi", "verbose_name_plural": "søgeindeksets værdier"},
        ),
        migrations.CreateModel(
            name="SearchIndexState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("identity", models.UUIDField(unique=True)),
            ],
            options={"verbose_name": "søgeindeksets arkiv"},
        ),
        migrations.RunPython(create_identity, migrations.RunPython.noop),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
    ]
