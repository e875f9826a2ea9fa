"""The data page (/data/) and the data package (/data/datapackage.json): what readers can take away.

Both describe the tables of `team.exports.TABLES`, so a column added there is documented here at once;
the addresses are included under /data/ by `team.urls`.
"""

import datetime
import json

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from team import front
from team.caching import open_data, public_page
from team.exports import LICENCE, TABLES
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
        "licence": LICENCE,
    }
    return render(request, "team/data.html", context)


def version(changed):
    """The data's version: when an editor last changed it (in UTC), so it moves only when the data does."""
    return changed.astimezone(datetime.UTC).isoformat(timespec="seconds") if changed else "0"


@require_safe
@public_page
@open_data
def datapackage(request):
    """Every table as a Frictionless data package: one resource per CSV, with its schema."""
    delegation = featured_delegation()
    page = request.build_absolute_uri(reverse("team:data"))
    package = {
        "profile": "tabular-data-package",
        "name": f"{delegation.games.slug}-{delegation.npc_code.lower()}",
        "title": delegation.headline,
        "homepage": page,
        "version": version(front.last_change()),
        "licenses": [{"title": str(LICENCE), "path": f"{page}#licence"}],
        "sources": [{"title": _("Our sources"), "path": request.build_absolute_uri(reverse("team:sources"))}],
        "resources": [
            {
                "name": table.name,
                "title": str(table.title),
                "description": str(table.description),
                "path": request.build_absolute_uri(csv),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "schema": table.schema(),
            }
            for table, csv, _json in downloads()
        ],
    }
    return HttpResponse(json.dumps(package, ensure_ascii=False, indent=1), content_type="application/json")


urlpatterns = [
    path("", data, name="data"),
    path("datapackage.json", datapackage, name="datapackage"),
]
