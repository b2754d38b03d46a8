"""The alerts' pages: subscribe (from the "Følg" box of a search, case, body or person page), confirm,
manage every subscription of an address, and one-click unsubscribe.

The pages behind a mail's link are never cached (they show an address's subscriptions, and change
when used). The subscribe form sits on pages the page cache keeps for everyone, so it carries no
CSRF token (a token kept in a shared page would fail for everyone else); its POST is refused when the
browser says it came from another site (Origin / Sec-Fetch-Site), and all it can do is send one
throttled confirmation mail, which a direct POST without a browser could do as well. The unsubscribe
URL takes a POST without a token, as RFC 8058 asks: the signed link is the permission.
"""

from urllib.parse import unquote

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from minutes import followed
from minutes.alerts import subscribing
from minutes.bad_requests import CONTROL_CHARACTERS, MAX_QUERY_BYTES
from minutes.models import AlertFrequency, AlertKind, Body, Case, Person


class SubscribeForm(forms.Form):
    adresse = forms.EmailField(label="Din e-mailadresse", max_length=254)
    hyppighed = forms.ChoiceField(
        label="Hvor ofte",
        choices=AlertFrequency.choices,
        initial=AlertFrequency.IMMEDIATELY,
        widget=forms.RadioSelect,
        required=False,
    )


def _followed(kind: str, key: str):
    """(what the form names, or None; the problems of a search's parameters)."""
    if kind == AlertKind.SEARCH:
        return followed.search(QueryDict(key))
    if kind == AlertKind.CASE and (case := Case.objects.find(key[:40])):
        return followed.case(case), []
    if kind == AlertKind.BODY and (body := Body.objects.filter(slug=key[:200]).first()):
        return followed.body(body), []
    if kind == AlertKind.PERSON and (person := Person.objects.filter(slug=key[:200]).first()):
        return followed.person(person), []
    return None, []


def _from_another_site(request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    own = f"{request.scheme}://{request.get_host()}"
    return bool(origin) and origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS


def _message(request, title: str, text: str, *, status: int = 200, **extra):
    return render(
        request, "minutes/alert_message.html", {"title": title, "text": text, **extra}, status=status
    )


@never_cache
@csrf_exempt
@require_POST
def subscribe(request):
    if _from_another_site(request):
        return _message(
            request, "Ikke sendt", "Formularen skal sendes fra Referatarkivets egne sider.", status=403
        )
    kind, key = request.POST.get("foelger", ""), request.POST.get("noegle", "")
    if len(key) > MAX_QUERY_BYTES or CONTROL_CHARACTERS.search(unquote(key)):  # as a search URL would be
        return _message(request, "Ukendt", "Arkivet kender ikke det, du vil følge.", status=400)
    what, problems = _followed(kind, key)
    if what is None:
        return _message(request, "Ukendt", "Arkivet kender ikke det, du vil følge.", status=400)
    if problems:
        reasons = "; ".join(f"{problem.label}: {problem.danish}" for problem in problems)
        text = f"Søgningen har filtre, der ikke kan bruges, og den kan derfor ikke følges: {reasons}"
        return _message(request, "Søgningen kan ikke følges", text, status=400)
    form = SubscribeForm(request.POST)
    context = {"form": form, "followed": what, "kind": kind, "key": what.query or key}
    if not form.is_valid():
        return render(request, "minutes/alert_subscribe.html", context, status=400)
    # The client's address as the admin's login throttling reads it (TRUSTED_PROXY_COUNT, README).
    client = get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "")
    try:
        subscribing.count_client_request(client)
        subscribing.subscribe(form.cleaned_data["adresse"], what, form.cleaned_data["hyppighed"])
    except subscribing.Refused as refused:
        return render(
            request, "minutes/alert_subscribe.html", {**context, "refused": str(refused)}, status=429
        )
    text = (
        f"Hvis adressen ikke allerede følger {what.what}, har vi sendt en mail med et link. "
        f"Åbn det inden {settings.ALERT_CONFIRMATION_HOURS} timer for at bekræfte; "
        "før det sender vi ingenting."
    )
    return _message(request, "Tjek din indbakke", text, back=what.url)


GONE = (
    "Linket virker ikke: det er udløbet, allerede brugt, eller abonnementet findes ikke længere. "
    "Du kan bede om et nyt fra siden med det, du vil følge."
)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    subscription = subscribing.waiting_for(token)
    if subscription is None:
        return _message(request, "Linket virker ikke", GONE, status=404)
    if request.method == "POST":
        subscribing.confirm(subscription)
        text = (
            f"Du følger nu {subscription.description}. Når der kommer nye punkter, får du en mail "
            f"({subscription.get_frequency_display().lower()}). Hver mail har et link til at afmelde."
        )
        return _message(
            request, "Abonnementet er bekræftet", text, manage=subscribing.manage_url(subscription)
        )
    return _message(
        request,
        "Bekræft abonnementet",
        f"Vil du have en mail ({subscription.get_frequency_display().lower()}), når der kommer nye "
        f"punkter om {subscription.description}?",
        button="Ja, bekræft",
        csrf=True,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request, token):
    subscription = subscribing.by_link_token(token)
    if subscription is None:
        return _message(request, "Linket virker ikke", GONE, status=404)
    subscriptions = list(subscribing.subscriptions_of(subscription))
    if request.method == "POST":
        for each in subscriptions:
            subscribing.unsubscribe(each)
        text = "Alle adressens abonnementer er afmeldt, og adressen er slettet fra arkivet."
        return _message(request, "Alle abonnementer er afmeldt", text)
    rows = [
        (
            each,
            reverse("minutes:alert_unsubscribe", args=[subscribing.link_token(each)]),
            followed.of_subscription(each),
        )
        for each in subscriptions
    ]
    return render(request, "minutes/alert_manage.html", {"rows": rows, "address": subscription.address})


@never_cache
@csrf_exempt  # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click" with no token or cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscription = subscribing.by_link_token(token)
    if subscription is None:
        return _message(request, "Linket virker ikke", GONE, status=404)
    if request.method == "POST":
        subscribing.unsubscribe(subscription)
        text = f"Du får ikke flere mails om {subscription.description}. Abonnementet er slettet."
        return _message(request, "Du er afmeldt", text)
    return _message(
        request,
        "Afmeld",
        f"Vil du afmelde mails om {subscription.description}?",
        button="Ja, afmeld",
        manage=subscribing.manage_url(subscription),
    )
