"""Loading the fixtures: works on an empty database, never overwrites an editor, refuses bad files whole."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from team.models import Athlete, Entry, Event, Games, ReviewFlag, Source, Sport


def load(*labels):
    call_command("load_initial_data", *labels, verbosity=0)


@pytest.mark.django_db
def test_plain_loaddata_works_on_a_fresh_database():
    call_command("loaddata", "reference", "paris-2024-aze", verbosity=0)
    assert Athlete.objects.count() == 19
    assert Event.objects.count() == 24
    assert ReviewFlag.objects.count() == 20


@pytest.mark.django_db
def test_load_command_fills_an_empty_database(capsys):
    call_command("load_initial_data")
    assert "Loaded 133 objects from 2 fixture(s)." in capsys.readouterr().out
    assert Entry.objects.count() == 26


@pytest.mark.django_db
def test_running_the_load_again_keeps_an_editors_correction(capsys):
    load()
    athlete = Athlete.objects.get(slug="roman-saleh")
    athlete.name = "Roman Salekh"
    athlete.save()
    Entry.objects.filter(athlete=athlete, event__slug="swimming-men-s12-100m-butterfly").delete()
    counts = (Athlete.objects.count(), Entry.objects.count(), Event.objects.count())

    call_command("load_initial_data")

    assert Athlete.objects.get(slug="roman-saleh").name == "Roman Salekh"
    assert (Athlete.objects.count(), Entry.objects.count(), Event.objects.count()) == counts
    assert "nothing loaded" in capsys.readouterr().out


@pytest.fixture
def fixture_dir(tmp_path, settings):
    settings.FIXTURE_DIRS = [tmp_path]
    return tmp_path


def write(directory, name, objects):
    (directory / name).write_text(json.dumps(objects))


SPORT = {"model": "team.sport", "fields": {"slug": "para-rowing", "name": "Para rowing"}}


@pytest.mark.django_db
def test_malformed_object_is_named_with_its_field_and_nothing_is_loaded(fixture_dir):
    bad_games = {
        "model": "team.games",
        "fields": {
            "slug": "la-2028",
            "name": "Los Angeles 2028",
            "season": "summer",
            "year": 2028,
            "host_city": "Los Angeles",
            "host_country": "United States",
            "time_zone": "America/Hollywood",
        },
    }
    write(fixture_dir, "next.json", [SPORT, bad_games])

    with pytest.raises(CommandError) as error:
        load("next")

    message = str(error.value)
    assert "next.json" in message
    assert "team.games #2 (slug='la-2028')" in message
    assert "time_zone" in message
    assert "America/Hollywood is not a time zone" in message
    assert not Sport.objects.exists()
    assert not Games.objects.exists()


@pytest.mark.django_db
def test_a_broken_reference_is_reported_and_nothing_is_loaded(fixture_dir):
    event = {
        "model": "team.event",
        "fields": {"games": ["nowhere-2099"], "slug": "x", "sport": ["para-rowing"], "gender": "W"},
    }
    write(fixture_dir, "events.json", [SPORT, event])

    with pytest.raises(CommandError) as error:
        load("events")

    assert "events.json" in str(error.value)
    assert "team.event" in str(error.value)
    assert not Sport.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_json_gets_a_clear_message(fixture_dir):
    (fixture_dir / "broken.json").write_text('[{"model": "team.sport", "fields": {')

    with pytest.raises(CommandError, match=r"broken\.json: cannot read"):
        load("broken")
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_missing_fixture_is_named(fixture_dir):
    with pytest.raises(CommandError, match=r"No fixture named 'absent'"):
        load("absent")


@pytest.mark.django_db
def test_quote_that_is_not_in_the_source_is_refused(fixture_dir):
    source = {"model": "team.source", "fields": {"slug": "wire", "outlet": "Wire", "body": "Real sentence."}}
    sport = {**SPORT, "fields": {**SPORT["fields"], "source": ["wire"], "source_quote": "Invented sentence."}}
    write(fixture_dir, "quoted.json", [source, sport])

    with pytest.raises(CommandError, match=r"source_quote: This sentence does not appear word for word"):
        load("quoted")
    assert not Source.objects.exists()
