"""The addresses of the downloadable tables: /roster.csv, /roster.json, … one per table and format
(`team.exports.TABLES`), named `team:<table>-<format>`."""

from django.urls import path

from team.exports import FORMATS, TABLES, views

urlpatterns = [
    path(f"{name}.{fmt}", views[name], {"fmt": fmt}, name=f"{name}-{fmt}") for name in TABLES for fmt in FORMATS
]
