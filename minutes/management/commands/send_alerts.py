"""Send the e-mail alerts: one digest per subscription with what is new since its last mail (cron, a
systemd timer or the docker-compose service run it every few minutes; see README "E-mail alerts")."""

from django.core.management.base import BaseCommand

from minutes.alerts.sending import send_alerts


class Command(BaseCommand):
    help = "Send e-mailabonnementernes mails med nye punkter, og slet ubekræftede, udløbne anmodninger."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="skriv mailene ud i stedet for at sende dem; ændr intet"
        )

    def handle(self, *args, dry_run, **options):
        figures = send_alerts(dry_run=dry_run)
        if figures.busy:
            self.stdout.write("En anden kørsel af send_alerts er i gang; denne sender intet.")
            return
        for text in figures.printed:
            self.stdout.write(text)
            self.stdout.write("-" * 72)
        summary = (
            f"{figures.subscriptions} abonnementer undersøgt, {figures.new_items} nye punkter, "
            f"{figures.mails} mails sendt, {figures.failures} ikke sendt, "
            f"{figures.expired} ubekræftede slettet"
        )
        if dry_run:
            summary = f"Prøvekørsel: {len(figures.printed)} mails ville blive sendt; intet ændret. {summary}"
        self.stdout.write(summary)
