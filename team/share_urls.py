"""Addresses of the share cards (see team.sharecards): each ends in the version of what its card shows."""

from django.urls import path

from team import share_views

urlpatterns = [
    path("team/<slug:version>.png", share_views.team, name="share-team"),
    path("pages/<slug:page>/<slug:version>.png", share_views.page, name="share-page"),
    path("sports/<slug:slug>/<slug:version>.png", share_views.sport, name="share-sport"),
    path("athletes/<slug:slug>/<slug:version>.png", share_views.athlete, name="share-athlete"),
    path("events/<slug:slug>/<slug:version>.png", share_views.event, name="share-event"),
    path("events/<slug:slug>/<slug:medal>/<slug:version>.png", share_views.medal, name="share-medal"),
]
