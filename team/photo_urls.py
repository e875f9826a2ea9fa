"""Addresses of athletes' photos (see team.photos)."""

urlpatterns = []
