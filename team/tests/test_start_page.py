"""The editors' start page: the rounds waiting for results, the open review flags and what other editors
changed, each one query, above the admin's list of models."""

import datetime

import pytest
from django.urls import reverse

from team import front, history
from team.models import Change, Entry, Result, ReviewFlag, Round
from team.tests.factories import make_result, schedule_article

pytestmark = pytest.mark.usefixtures("article_data")

INDEX = reverse("admin:index")


@pytest.fixture
def on_day(monkeypatch):
    def set_day(month, day, hour=20):
        moment = datetime.datetime(2024, month, day, hour, tzinfo=datetime.UTC)
        monkeypatch.setattr(front, "now", lambda: moment)

    return set_day


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def due_rounds(response):
    return [(round.event.slug, round.kind) for round in response.context["desk_due"]]


def test_the_rounds_held_so_far_without_results_are_listed_latest_day_first(desk, on_day):
    schedule_article()
    on_day(8, 29)
    assert due_rounds(desk.get(INDEX)) == [
        ("swimming-men-s12-100m-backstroke", "heats"),
        ("swimming-women-s2-50m-backstroke", "final"),
        ("swimming-men-s12-100m-backstroke", "final"),
    ]
    on_day(8, 31)
    assert due_rounds(desk.get(INDEX))[:2] == [
        ("taekwondo-men-k44-80kg", "classification"),
        ("taekwondo-men-k44-80kg", "final"),
    ]
    assert desk.get(INDEX).context["desk_due_today"] == 2


def test_a_round_leaves_the_list_once_every_athlete_has_a_result(desk, on_day):
    schedule_article()
    on_day(8, 29)
    heats = Round.objects.get(event__slug="swimming-men-s12-100m-backstroke", kind="heats")
    entry = Entry.objects.get(event=heats.event)
    make_result(entry=entry, round=heats, rank=3)
    assert ("swimming-men-s12-100m-backstroke", "heats") not in due_rounds(desk.get(INDEX))
    assert ("swimming-men-s12-100m-backstroke", "final") in due_rounds(desk.get(INDEX))


def test_an_athlete_out_or_withdrawn_is_not_waited_for(desk, on_day):
    schedule_article()
    on_day(8, 29)
    heats = Round.objects.get(event__slug="swimming-men-s12-100m-backstroke", kind="heats")
    entry = Entry.objects.get(event=heats.event)
    make_result(entry=entry, round=heats, rank=6, progress=Result.Progress.ELIMINATED)
    assert not any(slug == "swimming-men-s12-100m-backstroke" for slug, _kind in due_rounds(desk.get(INDEX)))
    Entry.objects.filter(event__slug="swimming-women-s2-50m-backstroke").update(
        status=Entry.Status.WITHDRAWN, status_reason="Withdrawn injured."
    )
    assert due_rounds(desk.get(INDEX)) == []
    assert "Every round held so far has its results." in desk.get(INDEX).text


def test_open_flags_and_changes_by_others_are_listed(desk, editor, django_user_model, on_day):
    on_day(8, 29)
    other = django_user_model.objects.create_user("rashad", password="long-enough-password", is_staff=True)
    flag = ReviewFlag.objects.open().order_by("created_at", "slug").first()
    athlete = flag.athlete or Entry.objects.first().athlete
    before = history.snapshot(athlete)
    athlete.status_reason = "Checked."
    athlete.save()
    history.record_save(athlete, before, other)
    mine_before = history.snapshot(athlete)
    athlete.status_reason = "Checked twice."
    athlete.save()
    history.record_save(athlete, mine_before, editor)

    page = desk.get(INDEX)
    assert flag in page.context["desk_flags"]
    assert reverse("admin:team_reviewflag_change", args=[flag.pk]) in page.text
    others = page.context["desk_others"]
    assert [change.user for change in others] == [other]
    assert reverse("admin:team_change_change", args=[others[0].pk]) in page.text
    assert Change.objects.filter(user=editor).exists()


def test_the_start_page_runs_a_fixed_number_of_queries(desk, on_day, django_assert_num_queries):
    schedule_article()
    on_day(9, 8)
    desk.get(INDEX)  # sessions and permissions warmed up
    with django_assert_num_queries(count := len_of_queries(desk)):
        desk.get(INDEX)
    for event in Entry.objects.values_list("event", flat=True)[:3]:
        Round.objects.create(event_id=event, kind=Round.Kind.SEMIFINAL, scheduled_date=datetime.date(2024, 9, 1))
    with django_assert_num_queries(count):
        desk.get(INDEX)


def len_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(INDEX)
    return len(queries)


def test_a_viewer_without_the_desk_sees_no_start_page(client):
    response = client.get(INDEX)
    assert response.status_code == 302


def test_each_waiting_round_links_to_its_results_desk(desk, on_day):
    schedule_article()
    on_day(8, 29)
    page = desk.get(INDEX).text
    heats = Round.objects.get(event__slug="swimming-men-s12-100m-backstroke", kind="heats")
    assert reverse("admin:team_desk_round", args=[heats.event_id, "heats"]) in page
    assert reverse("admin:team_desk_today") in page
    assert reverse("admin:team_import") in page
