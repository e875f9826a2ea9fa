"""The bulk download: the whole delegation as one dated zip of CSV files with their data package."""

import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from team import history
from team.archive import ARCHIVE
from team.models import Athlete, AthleteName, Delegation, Entry, Round, Source
from team.tests.factories import grow_delegation, make_result
from team.tests.test_data_page import conforming_rows

pytestmark = pytest.mark.usefixtures("article_data")

ARCHIVE_URL = reverse("team:archive")


def download(client, **headers):
    response = client.get(ARCHIVE_URL, **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return response


def unpacked(response):
    """The archive's folder name and its files, by name, as text."""
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        folders = {name.split("/")[0] for name in names}
        assert len(folders) == 1
        (folder,) = folders
        return folder, {name.split("/", 1)[1]: archive.read(name).decode("utf-8") for name in names}


def tables(files):
    """Each table's rows as dicts, checked against the schema the archive's own data package gives it."""
    package = json.loads(files["datapackage.json"])
    read = {}
    for resource in package["resources"]:
        text = files[resource["path"]]
        assert text.startswith("\ufeff")
        rows = conforming_rows(resource, text.removeprefix("\ufeff"))
        read[resource["name"]] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return read


@pytest.fixture
def medal():
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    entry = Entry.objects.get(athlete__slug="abulfaz-abuzarli")
    return make_result(entry=entry, round=final, rank=3, medal="bronze", mark="7-5", settled="official")


def test_the_archive_is_named_after_the_day_the_data_last_changed(client, django_user_model):
    athlete = Athlete.objects.get(slug="roman-saleh")
    before = history.snapshot(athlete)
    athlete.status_reason = "Checked."
    athlete.save()
    change = history.record_save(athlete, before, django_user_model.objects.create(username="ed"))
    day = timezone.localdate(change.at).isoformat()

    response = download(client)

    assert response["Content-Disposition"] == f'attachment; filename="paris-2024-aze-{day}.zip"'
    folder, _files = unpacked(response)
    assert folder == f"paris-2024-aze-{day}"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_archive_holds_every_table_and_a_package_describing_them(client):
    _folder, files = unpacked(download(client))
    package = json.loads(files["datapackage.json"])
    names = ["roster", "names", "events", "entries", "rounds", "results", "medals", "corrections", "sources"]
    assert [resource["name"] for resource in package["resources"]] == names
    assert [table.name for table, _rows in ARCHIVE] == names
    assert sorted(files) == sorted(["datapackage.json", *(f"{name}.csv" for name in names)])
    assert package["name"] == "paris-2024-aze"
    assert package["homepage"] == f"http://testserver{reverse('team:data')}"
    for resource, (table, _rows) in zip(package["resources"], ARCHIVE, strict=True):
        assert resource["path"] == f"{table.name}.csv"  # inside the archive, beside the package
        assert resource["schema"] == table.schema()
        assert resource["encoding"] == "utf-8-sig"


def test_every_row_of_the_article_data_conforms_to_the_archives_schemas(client, medal):
    read = tables(unpacked(download(client))[1])
    assert len(read["roster"]) == Athlete.objects.count() == 19
    assert {row["athlete"] for row in read["names"]} <= {row["athlete"] for row in read["roster"]}
    assert {row["event"] for row in read["entries"]} == {row["event"] for row in read["events"]}
    assert {row["event"] for row in read["rounds"]} <= {row["event"] for row in read["events"]}
    results = [(row["athlete"], row["rank"], row["medal"]) for row in read["results"]]
    assert results == [("abulfaz-abuzarli", "3", "bronze")]
    assert read["medals"][-1]["bronze"] == "1"
    sources = {row["source"] for row in read["sources"]}
    for name in ("names", "events", "entries", "rounds", "results", "corrections"):
        cited = {row["source"] for row in read[name]} - {""}
        assert cited <= sources, name


def test_the_unfiltered_tables_are_those_of_the_filtered_downloads(client, medal):
    files = unpacked(download(client))[1]
    for name in ("roster", "results", "medals"):
        assert files[f"{name}.csv"] == client.get(reverse(f"team:{name}-csv")).content.decode(), name


def test_names_keep_their_script_and_letters(client):
    saleh = Athlete.objects.get(slug="roman-saleh")
    AthleteName.objects.create(athlete=saleh, name="Роман Салех", script="cyrillic")
    AthleteName.objects.create(athlete=saleh, name="Roman Saləh", script="azerbaijani")
    rows = [row for row in tables(unpacked(download(client))[1])["names"] if row["athlete"] == "roman-saleh"]
    spellings = {(row["name"], row["script"]) for row in rows}
    assert spellings >= {("Роман Салех", "cyrillic"), ("Roman Saləh", "azerbaijani")}


def test_a_withdrawal_and_its_reason_are_in_the_entries(client):
    entry = Entry.objects.filter(athlete__slug="roman-saleh").first()
    entry.status, entry.status_reason = "withdrawn", "Injured in training."
    entry.save()
    rows = tables(unpacked(download(client))[1])["entries"]
    row = next(row for row in rows if row["athlete"] == "roman-saleh" and row["event"] == entry.event.slug)
    assert (row["status"], row["withdrawal_reason"]) == ("withdrawn", "Injured in training.")
    assert all(row["withdrawal_reason"] == "" for row in rows if row["status"] == "entered")


def test_corrections_are_one_row_each_with_note_changes_and_source(client):
    source = Source.objects.create(outlet="Report", title="Official results", published_on=datetime.date(2024, 9, 1))
    athlete = Athlete.objects.get(slug="roman-saleh")
    before = history.snapshot(athlete)
    athlete.name = "Roman Saleh Jr"
    athlete.save()
    history.record_save(athlete, before, None, note="We misspelt his name.", source=source)
    # An edit with no note for readers is not a correction.
    before = history.snapshot(athlete)
    athlete.status_reason = "Checked."
    athlete.save()
    history.record_save(athlete, before, None)

    (row,) = tables(unpacked(download(client))[1])["corrections"]
    assert row["note"] == "We misspelt his name."
    assert row["records"] == "Roman Saleh Jr"
    assert "Roman Saleh" in row["changes"] and "Roman Saleh Jr" in row["changes"]
    assert row["source"] == source.slug
    assert datetime.datetime.fromisoformat(row["published"]).utcoffset() == datetime.timedelta(0)


def test_sources_are_described_without_their_full_text(client):
    article = Source.objects.exclude(body="").first()
    assert article is not None
    files = unpacked(download(client))[1]
    (row,) = [row for row in tables(files)["sources"] if row["source"] == article.slug]
    assert row["outlet"] == article.outlet and row["url"] == article.url
    assert article.body[:200] not in files["sources.csv"]


def test_the_data_page_offers_the_archive_and_documents_its_own_tables(client):
    page = client.get(reverse("team:data")).text
    assert f'href="{ARCHIVE_URL}" download' in page
    for table, _rows in ARCHIVE:
        assert f'id="{table.name}"' in page
        for column in table.columns:
            assert f"<code>{column.name}</code>" in page


def test_two_downloads_of_the_same_data_are_the_same_bytes(client):
    assert download(client).content == download(client).content


def test_the_archive_is_cached_and_revalidated_from_any_origin(client, page_cache):
    first = download(client)
    assert first["Cache-Control"].startswith("public")
    origin = {"HTTP_ORIGIN": "https://other-newsroom.example"}
    again = client.get(ARCHIVE_URL, HTTP_IF_NONE_MATCH=first["ETag"], **origin)
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"
    assert download(client, **origin)["Access-Control-Allow-Origin"] == "*"  # the stored copy


@pytest.mark.parametrize("url", [reverse("team:roster-csv"), reverse("team:schedule_calendar"), reverse("team:feed")])
def test_open_data_304s_from_the_cache_may_be_read_by_other_sites(client, page_cache, url):
    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ORIGIN="https://other-newsroom.example")
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"


def test_readers_pages_304s_do_not_open_themselves_to_other_sites(client, page_cache):
    url = reverse("team:team")
    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ORIGIN="https://other-newsroom.example")
    assert again.status_code == 304
    assert not again.has_header("Access-Control-Allow-Origin")


def test_the_archive_refuses_writes_and_parameters(client):
    assert client.post(ARCHIVE_URL).status_code == 405
    redirect = client.get(ARCHIVE_URL, {"sport": "para-judo"})
    assert redirect.status_code == 302 and redirect["Location"] == ARCHIVE_URL


# The delegation and the last change; the athletes with the roster filter's choices (sports, classes) and
# their classes, spellings and entries (6); spellings, events, entries, rounds (1 each); the results with the schedule
# filter's choices (sports, athletes); the medals by sport, their sports, the total; corrections; sources.
@pytest.mark.parametrize("factor", [1, 10])
def test_the_archive_runs_a_fixed_number_of_queries(client, django_assert_num_queries, medal, factor):
    grow_delegation(Delegation.objects.get(), factor)
    with django_assert_num_queries(20):
        download(client)
