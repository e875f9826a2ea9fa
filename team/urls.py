from django.urls import path

from team import views

app_name = "team"

urlpatterns = [
    path("", views.team, name="team"),
]
