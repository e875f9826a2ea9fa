import csv
import datetime
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from team.exports import LICENCE, TABLES
from team.models import Athlete, Delegation, Entry, Event, Round
from team.tests.factories import grow_delegation, make_result

pytestmark = pytest.mark.usefixtures("article_data")

DATA = reverse("team:data")
PACKAGE = reverse("team:datapackage")


def conforms(value, kind):
    """Whether a CSV cell holds a value of the Table Schema type `kind` (an empty cell always does)."""
    if value == "" or kind == "string":
        return True
    if kind == "integer":
        return re.fullmatch(r"-?\d+", value) is not None
    if kind == "boolean":
        return value in ("true", "false")
    parse = {"date": datetime.date, "time": datetime.time, "datetime": datetime.datetime}[kind].fromisoformat
    try:
        parse(value)
    except ValueError:
        return False
    return True


def package(client):
    response = client.get(PACKAGE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.text)


def check_against_schemas(client):
    """Fetch every resource's CSV and check it against the schema the package gives it."""
    described = package(client)
    rows_seen = {}
    for resource in described["resources"]:
        response = client.get(resource["path"])
        assert response.status_code == 200
        rows_seen[resource["name"]] = conforming_rows(resource, response.content.decode(resource["encoding"]))[1:]
    return rows_seen


def conforming_rows(resource, text):
    """The CSV `text` of a data package's `resource`, header first, each row checked against its schema."""
    rows = list(csv.reader(io.StringIO(text)))
    fields = resource["schema"]["fields"]
    assert rows[0] == [field["name"] for field in fields]
    for row in rows[1:]:
        assert len(row) == len(fields)
        for value, field in zip(row, fields, strict=True):
            assert conforms(value, field["type"]), (resource["name"], field["name"], value)
    return rows


@pytest.fixture
def medal():
    """A result with a bronze medal, in a round with a day and a time."""
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    Round.objects.filter(pk=final.pk).update(scheduled_date=datetime.date(2024, 8, 31), scheduled_time="15:30")
    entry = Entry.objects.get(athlete__slug="abulfaz-abuzarli")
    return make_result(entry=entry, round=final, rank=3, medal="bronze", mark="7-5", settled="official")


def test_data_page_lists_every_table_with_its_downloads_and_every_column_meaning(client):
    response = client.get(DATA)
    assert response.status_code == 200
    page = response.text
    for name, table in TABLES.items():
        assert f"<caption>{table.title} " in page
        assert f'href="{reverse(f"team:{name}-csv")}"' in page
        assert f'href="{reverse(f"team:{name}-json")}"' in page
        for column in table.columns:
            assert f'<th scope="row"><code>{column.name}</code></th><td>{column.type}</td>' in page
            assert f"<td>{escape(column.description)}</td></tr>" in page
    assert str(LICENCE) in page
    assert f'href="{reverse("team:sources")}"' in page
    assert f'href="{reverse("team:schedule_calendar")}"' in page
    assert f'href="{reverse("team:feed")}"' in page
    assert f'href="{PACKAGE}"' in page


def test_every_page_links_to_the_data_page_from_its_footer(client):
    for url in (reverse("team:team"), reverse("team:sources"), DATA):
        footer = client.get(url).text.split('<footer class="site-footer">')[1]
        assert f'<a href="{DATA}">Open data</a>' in footer


def test_data_package_describes_every_table(client):
    described = package(client)
    assert described["name"] == "paris-2024-aze"
    assert described["title"]
    assert described["version"]
    assert described["licenses"] == [{"title": str(LICENCE), "path": f"http://testserver{DATA}#licence"}]
    assert described["sources"][0]["path"] == f"http://testserver{reverse('team:sources')}"
    assert [resource["name"] for resource in described["resources"]] == list(TABLES)
    for resource, table in zip(described["resources"], TABLES.values(), strict=True):
        assert resource["path"] == f"http://testserver{reverse(f'team:{table.name}-csv')}"
        assert resource["format"] == "csv"
        assert resource["mediatype"] == "text/csv"
        assert resource["encoding"] == "utf-8-sig"
        assert resource["schema"] == table.schema()
    assert client.get(PACKAGE)["Access-Control-Allow-Origin"] == "*"


def test_data_package_version_moves_only_when_the_data_changes(client, django_user_model):
    from team import history

    before = package(client)["version"]
    assert package(client)["version"] == before
    event = Event.objects.get(slug="athletics-men-f55-nuclear-propulsion")
    snapshot = history.snapshot(event)
    event.discipline = "shot put"
    event.save()
    history.record_save(event, snapshot, django_user_model.objects.create(username="ed"), note="Mistranslation.")
    after = package(client)["version"]
    assert after != before
    assert package(client)["version"] == after


def test_the_article_data_conforms_to_the_package_schemas(client):
    rows = check_against_schemas(client)
    assert rows["roster"]
    assert rows["schedule"]
    assert rows["medals"]


def test_a_result_and_a_medal_conform_to_the_package_schemas(client, medal):
    rows = check_against_schemas(client)
    assert [rows["results"][0][0], rows["results"][0][6], rows["results"][0][10]] == ["abulfaz-abuzarli", "3", "bronze"]
    assert rows["medals"][-1][2:] == ["0", "0", "1", "1"]


def test_azerbaijani_letters_survive_the_package_schemas(client, medal):
    Athlete.objects.filter(slug="abulfaz-abuzarli").update(name="Əbülfəz Şükürov Ğ ı ç ö")
    rows = check_against_schemas(client)
    assert "Əbülfəz Şükürov Ğ ı ç ö" in [row[1] for row in rows["roster"]]
    assert rows["results"][0][1] == "Əbülfəz Şükürov Ğ ı ç ö"


# The page: the delegation. The package: the delegation and the last change (its version).
@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize(("url", "queries"), [(DATA, 1), (PACKAGE, 2)])
def test_data_page_and_package_run_a_fixed_number_of_queries(client, django_assert_num_queries, url, queries, factor):
    grow_delegation(Delegation.objects.get(), factor)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
