from django.apps import apps
from django.shortcuts import render


def home(request):
    # Placeholder front page: how much the archive holds, one count per model of the app.
    counts = [
        (model._meta.verbose_name_plural, model.objects.count())
        for model in apps.get_app_config("minutes").get_models()
    ]
    return render(request, "minutes/home.html", {"counts": counts})
