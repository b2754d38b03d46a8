from django.urls import path

from minutes import views

app_name = "minutes"

urlpatterns = [
    path("", views.home, name="home"),
]
