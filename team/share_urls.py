"""Addresses of the share cards (see team.sharecards)."""

urlpatterns = []
