"""The editors' desk: corrections, results, refusals with clear messages, history, reverts, no lost updates."""

import datetime

import pytest
from django.urls import reverse

from team.models import Athlete, Change, Entry, Event, ReviewFlag, Round
from team.tests.admin_forms import add_inline_row, errors_of, form_data, inline_prefix

pytestmark = pytest.mark.usefixtures("article_data")

NOTE = "The article misspelled the name."


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def change_url(obj):
    return reverse(f"admin:team_{obj._meta.model_name}_change", args=[obj.pk])


def open_form(client, obj):
    response = client.get(change_url(obj))
    assert response.status_code == 200
    return form_data(response)


def saleh():
    return Athlete.objects.get(slug="roman-saleh")


# Corrections


def test_correcting_a_published_fact_records_who_what_and_the_note(desk, editor):
    data = open_form(desk, saleh()) | {"name": "Roman Salekh", "correction_note": NOTE}

    response = desk.post(change_url(saleh()), data)

    assert response.status_code == 302
    athlete = saleh()
    assert athlete.name == "Roman Salekh"
    change = Change.objects.for_object(athlete).get()
    assert change.user == editor
    assert change.action == Change.Action.CHANGED
    assert change.fields == {"name": ["Roman Saleh", "Roman Salekh"]}
    assert change.correction_note == NOTE
    assert list(Change.objects.corrections()) == [change]


def test_changing_a_published_fact_without_a_note_is_refused_and_nothing_changes(desk):
    data = open_form(desk, saleh()) | {"name": "Roman Salekh"}

    response = desk.post(change_url(saleh()), data)

    assert response.status_code == 200
    assert "Readers have already seen this. Say in one line what was wrong (it is published)." in errors_of(response)
    assert saleh().name == "Roman Saleh"
    assert not Change.objects.exists()


def test_saving_without_any_change_records_nothing(desk):
    response = desk.post(change_url(saleh()), open_form(desk, saleh()))
    assert response.status_code == 302
    assert not Change.objects.exists()


def test_correcting_an_event_from_its_inline_entry_keeps_the_note(desk):
    event = Event.objects.get(slug="athletics-men-f55-nuclear-propulsion")
    data = open_form(desk, event) | {"discipline": "shot put", "correction_note": "Mistranslation of shot put."}

    assert desk.post(change_url(event), data).status_code == 302

    event.refresh_from_db()
    assert event.discipline == "shot put"
    assert Change.objects.for_object(event).get().correction_note == "Mistranslation of shot put."
    assert "shot put F55" in desk.get(reverse("team:team")).text


# Results and their refusals


@pytest.fixture
def final():
    event = Event.objects.get(slug="taekwondo-men-k44-80kg")
    return event.rounds.get(kind=Round.Kind.FINAL)


@pytest.fixture
def heats():
    event = Event.objects.get(slug="taekwondo-men-k44-80kg")
    return event.rounds.get(kind=Round.Kind.CLASSIFICATION)


def post_result(client, round, **fields):
    response = client.get(change_url(round))
    data = form_data(response)
    entry = Entry.objects.get(event=round.event)
    row = {"entry": entry.pk, "status": "ok", "settled": "provisional"} | fields
    add_inline_row(data, inline_prefix(response, "result"), **row)
    return client.post(change_url(round), data)


def test_editor_enters_a_final_with_a_medal_and_the_team_page_counts_it(desk, final):
    response = post_result(desk, final, rank=1, medal="gold", mark="12-3", settled="official")

    assert response.status_code == 302
    result = final.results.get()
    assert (result.rank, result.medal, result.mark) == (1, "gold", "12-3")
    assert Change.objects.for_object(result).get().action == Change.Action.ADDED
    assert '<span class="medal-badge medal-gold">Gold</span> 1</li>' in desk.get(reverse("team:team")).text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rank": 2, "medal": "gold"}, "A gold medal goes with rank 1, not 2."),
        ({"rank": 3, "medal": "silver"}, "A silver medal goes with rank 2, not 3."),
        ({"rank": 1, "medal": "gold", "status": "dq"}, "An athlete who was disqualified cannot win a medal."),
        ({"rank": 1, "mark": "twelve"}, "records a bout score such as 12-3."),
        ({"rank": 0}, "Ranks start at 1."),
    ],
)
def test_impossible_result_is_refused_with_a_clear_message(desk, final, fields, message):
    response = post_result(desk, final, **fields)

    assert response.status_code == 200
    assert any(message in error for error in errors_of(response)), errors_of(response)
    assert not final.results.exists()


def test_medal_outside_a_medal_round_is_refused(desk, heats):
    response = post_result(desk, heats, rank=1, medal="gold")

    assert response.status_code == 200
    assert "Medals are won only in a final or a bronze medal contest, not in classification." in errors_of(response)


def test_a_second_untied_gold_in_one_final_is_refused(desk, final):
    post_result(desk, final, rank=1, medal="gold")
    other = Athlete.objects.get(slug="sabir-zeynalov")
    Entry.objects.create(event=final.event, athlete=other)
    Athlete.objects.filter(pk=other.pk).update(sport=final.event.sport)

    response = desk.get(change_url(final))
    data = form_data(response)
    entry = Entry.objects.get(event=final.event, athlete=other)
    add_inline_row(
        data,
        inline_prefix(response, "result"),
        entry=entry.pk,
        rank=1,
        medal="gold",
        status="ok",
        settled="provisional",
    )
    response = desk.post(change_url(final), data)

    assert response.status_code == 200
    assert any("Tick 'tie' on both results" in error for error in errors_of(response)), errors_of(response)
    assert final.results.count() == 1


def test_result_for_an_athlete_not_entered_in_the_event_is_refused(desk, final):
    outsider = Entry.objects.get(athlete__slug="sabir-zeynalov")
    response = desk.get(reverse("admin:team_result_add"))
    data = form_data(response) | {
        "entry": outsider.pk,
        "round": final.pk,
        "rank": "1",
        "status": "ok",
        "settled": "provisional",
    }

    response = desk.post(reverse("admin:team_result_add"), data)

    assert response.status_code == 200
    assert any("Sabir Zeynalov is not entered in" in error for error in errors_of(response)), errors_of(response)


def test_round_scheduled_outside_the_games_is_refused(desk, final):
    data = open_form(desk, final) | {"scheduled_date": "2024-09-20", "correction_note": "Date announced."}

    response = desk.post(change_url(final), data)

    assert response.status_code == 200
    assert any("is outside Paris 2024 Summer Paralympic Games" in error for error in errors_of(response))


# No lost updates


def test_a_stale_save_is_refused_showing_what_changed_and_keeping_both_editors_work(client, desk, editor):
    other_desk = client.__class__()
    other_desk.force_login(editor.__class__.objects.create_superuser("chief", password="another-long-password"))
    first = open_form(desk, saleh())
    second = open_form(other_desk, saleh())

    saved = desk.post(change_url(saleh()), first | {"name": "Roman Salekh", "correction_note": NOTE})
    refused = other_desk.post(
        change_url(saleh()), second | {"status_reason": "Ill", "status": "withdrawn", "correction_note": "Withdrawn."}
    )

    assert saved.status_code == 302
    assert refused.status_code == 200
    errors = errors_of(refused)
    assert "Not saved: this record changed while you were editing it." in errors
    assert any("amina changed name from “Roman Saleh” to “Roman Salekh”" in error for error in errors), errors
    # The first editor's save stands; the second editor's input is still in the form.
    assert saleh().name == "Roman Salekh"
    assert saleh().status == "competing"
    form = refused.context["adminform"].form
    assert form["status"].value() == "withdrawn"
    assert form["status_reason"].value() == "Ill"

    # Saving again, now knowingly over the newer version, goes through and keeps both edits visible.
    again = other_desk.post(change_url(saleh()), form_data(refused) | {"name": "Roman Salekh"})
    assert again.status_code == 302
    athlete = saleh()
    assert (athlete.name, athlete.status) == ("Roman Salekh", "withdrawn")
    assert Change.objects.for_object(athlete).count() == 2


def test_saving_a_record_deleted_meanwhile_says_so(desk):
    flag_target = Event.objects.get(slug="judo-men-class-tbc")
    data = open_form(desk, flag_target) | {"discipline": "-90 kg", "correction_note": "Weight confirmed."}
    Event.objects.filter(pk=flag_target.pk).delete()

    response = desk.post(change_url(flag_target), data)

    assert response.status_code in (200, 302)
    assert not Event.objects.filter(slug="judo-men-class-tbc").exists()


# History and reverts


def test_a_change_can_be_viewed_as_a_diff_and_reverted(desk):
    desk.post(change_url(saleh()), open_form(desk, saleh()) | {"name": "Roman Salekh", "correction_note": NOTE})
    change = Change.objects.get()

    page = desk.get(reverse("admin:team_change_change", args=[change.pk])).text
    assert "<del>Roman Saleh</del>" in page
    assert "<ins>Roman Salekh</ins>" in page

    assert desk.post(reverse("admin:team_change_revert", args=[change.pk])).status_code == 302
    assert saleh().name == "Roman Saleh"
    revert = Change.objects.latest("pk")
    assert revert.reverts == change
    assert revert.fields == {"name": ["Roman Salekh", "Roman Saleh"]}


def test_a_revert_is_refused_when_the_record_changed_again(desk):
    desk.post(change_url(saleh()), open_form(desk, saleh()) | {"name": "Roman Salekh", "correction_note": NOTE})
    first = Change.objects.get()
    desk.post(change_url(saleh()), open_form(desk, saleh()) | {"name": "Roman Salex", "correction_note": NOTE})

    response = desk.post(reverse("admin:team_change_revert", args=[first.pk]), follow=True)

    assert "has been changed again since (name)" in response.text
    assert saleh().name == "Roman Salex"


def test_bulk_delete_is_recorded_and_its_revert_restores_everything(desk):
    event = Event.objects.get(slug="taekwondo-men-k44-80kg")
    counts = (Entry.objects.count(), Round.objects.count(), ReviewFlag.objects.count())
    response = desk.post(
        reverse("admin:team_event_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Event.objects.filter(slug="taekwondo-men-k44-80kg").exists()
    deleted = Change.objects.filter(action=Change.Action.DELETED)
    assert {change.content_type.model for change in deleted} == {"event", "entry", "round", "reviewflag"}

    event_deletion = deleted.get(content_type__model="event")
    desk.post(reverse("admin:team_change_revert", args=[event_deletion.pk]))

    restored = Event.objects.get(slug="taekwondo-men-k44-80kg")
    assert restored.entries.get().athlete.slug == "abulfaz-abuzarli"
    assert (Entry.objects.count(), Round.objects.count(), ReviewFlag.objects.count()) == counts


def test_the_history_button_opens_the_records_own_changes(desk):
    response = desk.get(reverse("admin:team_athlete_history", args=[saleh().pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:team_change_changelist"))
    assert f"object_id={saleh().pk}" in response.url
    assert desk.get(response.url).status_code == 200


# Withdrawals


def test_bulk_withdrawal_asks_for_a_reason_then_records_each_athlete(desk):
    athletes = Athlete.objects.filter(slug__in=["jeyhun-mahmudov", "vali-israfilov"])
    action = {"action": "mark_withdrawn", "_selected_action": [a.pk for a in athletes]}

    asked = desk.post(reverse("admin:team_athlete_changelist"), action)
    assert asked.status_code == 200
    assert "Why are they withdrawn?" in asked.text

    done = desk.post(reverse("admin:team_athlete_changelist"), action | {"apply": "1", "reason": "Injured"})
    assert done.status_code == 302
    assert set(Athlete.objects.filter(status="withdrawn").values_list("status_reason", flat=True)) == {"Injured"}
    assert Change.objects.filter(action=Change.Action.CHANGED).count() == 2
    assert "we list 19 (1 more than announced), of whom 17 compete and 2 have withdrawn." in (
        desk.get(reverse("team:team")).text
    )


def test_withdrawing_an_entry_without_a_reason_is_refused(desk):
    entry = Entry.objects.get(athlete__slug="roman-saleh", event__slug="swimming-men-s12-100m-butterfly")
    data = open_form(desk, entry) | {"status": "withdrawn", "correction_note": "Withdrawn."}

    response = desk.post(change_url(entry), data)

    assert response.status_code == 200
    assert "Give the reason for the withdrawal." in errors_of(response)


# The review queue


def test_review_queue_lists_open_flags_and_resolving_records_who_and_when(desk, editor):
    queue = desk.get(reverse("admin:team_reviewflag_changelist"))
    assert queue.context["cl"].result_count == 20

    flag = ReviewFlag.objects.get(slug="athlete-khalilov-spelling")
    data = open_form(desk, flag) | {"resolution": "Confirmed Imameddin with the federation."}
    assert desk.post(change_url(flag), data).status_code == 302

    flag.refresh_from_db()
    assert flag.resolved_by == editor
    assert flag.resolved_at is not None
    assert desk.get(reverse("admin:team_reviewflag_changelist")).context["cl"].result_count == 19
    resolved = desk.get(reverse("admin:team_reviewflag_changelist"), {"state": "resolved"})
    assert [f.slug for f in resolved.context["cl"].result_list] == ["athlete-khalilov-spelling"]


def test_search_finds_an_athlete_by_any_spelling(desk):
    for query in ["Xəlilov", "Khalilov", "Imamaddin", "Халилов", "xelilov"]:
        response = desk.get(reverse("admin:team_athlete_changelist"), {"q": query})
        assert [a.name for a in response.context["cl"].result_list] == ["Imameddin Khalilov"], query


def test_dates_use_the_games_calendar():
    assert Round.objects.get(event__slug="athletics-men-t13-long-jump").clock(datetime.UTC) == datetime.datetime(
        2024, 8, 28, 10, 0, tzinfo=datetime.UTC
    )


def test_deleting_an_athlete_and_reverting_restores_classes_entries_and_spellings(desk):
    khalilov = Athlete.objects.get(slug="imameddin-khalilov")
    desk.post(reverse("admin:team_athlete_delete", args=[khalilov.pk]), {"post": "yes"})
    assert not Athlete.objects.filter(slug="imameddin-khalilov").exists()

    deletion = Change.objects.get(action=Change.Action.DELETED, content_type__model="athlete")
    desk.post(reverse("admin:team_change_revert", args=[deletion.pk]))

    restored = Athlete.objects.get(slug="imameddin-khalilov")
    assert list(restored.sport_classes.values_list("code", flat=True)) == ["K44"]
    assert list(restored.names.values_list("name", flat=True)) == ["Imamaddin Khalilov"]
    assert restored.entries.count() == 1
    assert restored.flags.count() == 1
    assert Athlete.objects.named("Imamaddin").get() == restored


def test_a_withdrawn_entry_shows_on_the_team_page_with_its_reason(desk):
    entry = Entry.objects.get(athlete__slug="roman-saleh", event__slug="swimming-men-s12-100m-butterfly")
    data = open_form(desk, entry) | {
        "status": "withdrawn",
        "status_reason": "Focusing on freestyle",
        "correction_note": "Withdrawn from the butterfly.",
    }

    assert desk.post(change_url(entry), data).status_code == 302

    page = desk.get(reverse("team:team")).text
    assert "100 m butterfly S12</a> — withdrawn: Focusing on freestyle" in page
