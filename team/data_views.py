"""The data page (/data/), the data package (/data/datapackage.json) and the archive (/data/archive.zip):
what readers can take away.

They describe the tables of `team.exports.TABLES` and `team.archive.ARCHIVE`, so a column added there is
documented here at once; the addresses are included under /data/ by `team.urls`.
"""

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from team import archive, front
from team.caching import open_data, public_page
from team.exports import LICENCE, TABLES, package
from team.views import featured_delegation


def downloads():
    """Each table with the addresses of its CSV and JSON."""
    return [(table, reverse(f"team:{name}-csv"), reverse(f"team:{name}-json")) for name, table in TABLES.items()]


@require_safe
@public_page
def data(request):
    """What readers can download or subscribe to, what each column means, and the terms of reuse."""
    delegation = featured_delegation()
    context = {
        "delegation": delegation,
        "meta": delegation.meta(
            _("Open data"),
            _("The team’s roster, schedule, results and medals as CSV or JSON, and what each column means."),
        ),
        "tables": downloads(),
        "archive_tables": [table for table, _rows in archive.ARCHIVE if table.name not in TABLES],
        "licence": LICENCE,
    }
    return render(request, "team/data.html", context)


@require_safe
@public_page
@open_data
def datapackage(request):
    """Every table as a Frictionless data package: one resource per CSV, with its schema."""
    delegation = featured_delegation()
    resources = [(table, request.build_absolute_uri(csv)) for table, csv, _json in downloads()]
    described = package(request, delegation, resources, front.last_change())
    return HttpResponse(json.dumps(described, ensure_ascii=False, indent=1), content_type="application/json")


urlpatterns = [
    path("", data, name="data"),
    path("datapackage.json", datapackage, name="datapackage"),
    path("archive.zip", archive.download, name="archive"),
]
