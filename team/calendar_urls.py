"""The schedule's iCalendar feed (see team.calendar), in the `team` namespace."""

from django.urls import path

from team import calendar

urlpatterns = [
    path("schedule.ics", calendar.schedule_calendar, name="schedule_calendar"),
]
