"""The Atom feeds' addresses (`team.feeds`), included in the readers' URLs."""

from django.urls import path

from team import feeds

urlpatterns = [
    path("feed.atom", feeds.changes_feed, name="feed"),
    path("athletes/<slug:slug>/feed.atom", feeds.athlete_feed, name="athlete_feed"),
]
