from django.urls import include, path

from team import views

app_name = "team"

urlpatterns = [
    path("", views.team, name="team"),
    path("athletes/<slug:slug>/", views.athlete_detail, name="athlete"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("sports/<slug:slug>/", views.sport_detail, name="sport"),
    path("schedule/", views.schedule, name="schedule"),
    path("", include("team.calendar_urls")),
    path("medals/", views.medals, name="medals"),
    path("classes/", views.classes, name="classes"),
    path("sources/", views.sources, name="sources"),
    path("data/", include("team.data_views")),
    path("corrections/", views.corrections, name="corrections"),
    path("photos/", include("team.photo_urls")),
    path("share/", include("team.share_urls")),
    path("", include("team.export_urls")),
    path("", include("team.feed_urls")),
]
