"""E-mail alerts (minutes/alerts/): subscriptions, the publications they are told about, the runs' figures,
and the table of the "limits" cache (settings.CACHES) that counts subscribe requests per client."""

import django.db.models.deletion
from django.core.management import call_command
from django.db import migrations, models


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("minutes", "0011_synonyms"),
    ]

    operations = [
        migrations.CreateModel(
            name="AlertRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_at", models.DateTimeField(verbose_name="startet")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="færdig")),
                (
                    "subscriptions",
                    models.PositiveIntegerField(default=0, verbose_name="abonnementer undersøgt"),
                ),
                ("new_items", models.PositiveIntegerField(default=0, verbose_name="nye punkter")),
                ("mails", models.PositiveIntegerField(default=0, verbose_name="mails sendt")),
                ("failures", models.PositiveIntegerField(default=0, verbose_name="mails ikke sendt")),
                ("expired", models.PositiveIntegerField(default=0, verbose_name="ubekræftede slettet")),
            ],
            options={
                "verbose_name": "udsendelse",
                "verbose_name_plural": "udsendelser",
                "ordering": ["-started_at"],
            },
        ),
        migrations.CreateModel(
            name="Publication",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("item_id", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "offentliggørelse",
                "verbose_name_plural": "offentliggørelser",
            },
        ),
        migrations.CreateModel(
            name="Subscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("address", models.EmailField(max_length=254, verbose_name="e-mailadresse")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("soegning", "Søgning"),
                            ("sag", "Sag"),
                            ("udvalg", "Udvalg"),
                            ("person", "Person"),
                        ],
                        max_length=10,
                        verbose_name="følger",
                    ),
                ),
                ("query", models.TextField(blank=True, verbose_name="søgning")),
                ("description", models.TextField(verbose_name="hvad der følges")),
                (
                    "frequency",
                    models.CharField(
                        choices=[("straks", "Straks"), ("dagligt", "Én gang om dagen")],
                        default="straks",
                        max_length=10,
                        verbose_name="hvor ofte",
                    ),
                ),
                (
                    "confirmation_hash",
                    models.CharField(blank=True, max_length=64, verbose_name="bekræftelsesnøgle (sha256)"),
                ),
                (
                    "confirmation_sent_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="bekræftelse sendt"),
                ),
                (
                    "confirmation_expires_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="bekræftelse udløber"),
                ),
                ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="bekræftet")),
                (
                    "sent_up_to",
                    models.BigIntegerField(default=0, verbose_name="sendt til og med offentliggørelse"),
                ),
                ("checked_at", models.DateTimeField(blank=True, null=True, verbose_name="sidst undersøgt")),
                (
                    "body",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="minutes.body",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="minutes.case",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="minutes.person",
                    ),
                ),
            ],
            options={
                "verbose_name": "e-mailabonnement",
                "verbose_name_plural": "e-mailabonnementer",
                "ordering": ["pk"],
                "indexes": [models.Index(fields=["address"], name="subscription_address_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("address", "kind", "query", "case", "body", "person"),
                        name="one_subscription_per_address_and_followed",
                        nulls_distinct=False,
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["soegning", "sag", "udvalg", "person"])),
                        name="subscription_kind_is_a_known_choice",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("frequency__in", ["straks", "dagligt"])),
                        name="subscription_frequency_is_a_known_choice",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("kind", "soegning"),
                                ("case__isnull", True),
                                ("body__isnull", True),
                                ("person__isnull", True),
                            ),
                            models.Q(
                                ("kind", "sag"),
                                ("case__isnull", False),
                                ("body__isnull", True),
                                ("person__isnull", True),
                                ("query", ""),
                            ),
                            models.Q(
                                ("kind", "udvalg"),
                                ("case__isnull", True),
                                ("body__isnull", False),
                                ("person__isnull", True),
                                ("query", ""),
                            ),
                            models.Q(
                                ("kind", "person"),
                                ("case__isnull", True),
                                ("body__isnull", True),
                                ("person__isnull", False),
                                ("query", ""),
                            ),
                            _connector="OR",
                        ),
                        name="subscription_names_what_its_kind_follows",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("confirmed_at__isnull", False),
                            models.Q(("confirmation_hash", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="subscription_confirmed_or_waiting_for_its_token",
                    ),
                ],
            },
        ),
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop),
    ]
