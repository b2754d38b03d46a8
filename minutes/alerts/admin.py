"""The alerts in the admin: how many subscriptions follow what, and the last runs' figures.

No address in the lists: a changelist shows what is followed, how often and since when. Searching for
an address finds its subscriptions (to answer a person who asks what is kept about them, or to delete
it); the address is then shown on the subscription's own page. Nothing here is edited by hand.
"""

from django.contrib import admin
from django.db.models import Count, Q

from minutes.models import AlertKind, AlertRun, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["description", "kind", "frequency", "confirmed_at", "checked_at"]
    list_filter = ["kind", "frequency", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["=address"]  # exact: an address is looked up, never browsed
    search_help_text = "Søg på en hel e-mailadresse for at se dens abonnementer."
    fields = ["address", "kind", "description", "query", "case", "body", "person", "frequency"]
    fields += ["confirmed_at", "confirmation_expires_at", "sent_up_to", "checked_at"]
    readonly_fields = fields
    change_list_template = "admin/minutes/subscription/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        confirmed = Q(confirmed_at__isnull=False)
        counts = Subscription.objects.aggregate(
            **{kind: Count("pk", filter=confirmed & Q(kind=kind)) for kind in AlertKind.values},
            waiting=Count("pk", filter=~confirmed),
        )
        summary = {
            "kinds": [(label, counts[kind]) for kind, label in AlertKind.choices],
            "waiting": counts["waiting"],
            "last_run": AlertRun.objects.order_by("-started_at").first(),
        }
        return super().changelist_view(request, {**(extra_context or {}), "alerts": summary})


@admin.register(AlertRun)
class AlertRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "subscriptions", "new_items", "mails", "failures", "expired"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
