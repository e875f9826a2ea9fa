"""The editors' desk never answers with a server error.

* A save the database refuses (two editors' saves crossing, a clash validation
  cannot see) is rolled back whole and comes back as a message saying what
  clashed and what to do, with everything the editor typed still in the form.
  The races are staged by making the other editor's row appear after the
  admin has validated the submission and before it saves (`meanwhile`); on
  PostgreSQL two editors also race for real, in two threads.
* Review flags get their own unique slug.
* Malformed input (NUL bytes, huge or non-numeric ids, impossible dates,
  tampered inline forms, junk actions and selections) gets a form error, a
  message, a 400 or an empty list: a fuzz over every team admin checks it.
* A login with a `next` on another host lands on the admin's index.
* `migrate` gives the Editors group new models' permissions and leaves what an
  administrator granted or took away.
"""

import threading

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.core import serializers
from django.core.management import call_command
from django.db import connection, migrations
from django.test import Client
from django.urls import reverse

from team import history
from team.admin import EditorAdmin
from team.forms import NUL_REFUSED
from team.models import (
    Athlete,
    AthleteName,
    Change,
    Entry,
    Event,
    FormerSlug,
    Result,
    ReviewFlag,
    Round,
    Sport,
)
from team.permissions import EDITORS, editor_permissions, ensure_editors_group
from team.tests.admin_forms import add_inline_row, errors_of, form_data, inline_prefix, team_admin_models
from team.tests.factories import make_athlete, make_entry, make_event, make_result, make_round, make_sport

TEAM_MODELS = team_admin_models()

#: What the database, the forms and the admin must each survive, for every field and parameter.
MALFORMED = [
    "\x00",
    "Roman\x00Saleh",
    "A" * 5000,
    "abc",
    "999999999",  # an id no record has
    "99999999999999999999999",  # beyond any id a database can store
    "-1",
    "2024-02-30",
    "<script>alert(1)</script>",
]

#: The inline management form's fields: tampered separately, since a broken one stops its inline being read.
MANAGEMENT = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


@pytest.fixture
def desk(client, editor):
    """An editor's browser that sees a server error as a status, as the editor would."""
    client.force_login(editor)
    client.raise_request_exception = False
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:team_{model._meta.model_name}_{view}", args=args)


def change_url(obj):
    return admin_url(type(obj), "change", obj.pk)


def values_lost(response, data):
    """The submitted fields whose value the re-rendered form no longer shows."""
    shown = form_data(response)
    return {key for key, value in data.items() if key not in ("seen_version",) and shown.get(key) != value}


# Saves the database refuses


@pytest.fixture
def meanwhile(monkeypatch):
    """Stage a race: `other_editor_saves` runs once after the admin has validated the submission and just
    before it saves, as another editor's save would land in that instant."""

    def arrange(other_editor_saves):
        pending = [other_editor_saves]
        save_model = EditorAdmin.save_model

        def save_model_after_the_other_editor(self, request, obj, form, change):
            while pending:
                pending.pop()()
            save_model(self, request, obj, form, change)

        monkeypatch.setattr(EditorAdmin, "save_model", save_model_after_the_other_editor)

    return arrange


@pytest.fixture
def final(article_data):
    return Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind=Round.Kind.FINAL)


@pytest.fixture
def rival(final):
    """A second athlete entered in the final's event."""
    event = final.event
    athlete = make_athlete(delegation=Athlete.objects.first().delegation, sport=event.sport, gender=event.gender)
    return Entry.objects.create(event=event, athlete=athlete)


def assert_refused(response, reason):
    """The page came back with the save refused for `reason`: no server error, no redirect."""
    assert response.status_code == 200, response.status_code
    expected = f"Nothing was saved. {reason} Everything you entered is still in the form below."
    assert expected in errors_of(response), errors_of(response)


def result_row(entry, **fields):
    return {"entry": entry.pk, "status": "ok", "settled": "provisional", **fields}


def test_two_golds_entered_in_one_final_at_the_same_instant_the_second_is_refused_with_a_message(
    desk, meanwhile, final, rival
):
    mine = final.event.entries.exclude(pk=rival.pk).get()
    page = desk.get(change_url(final))
    data = add_inline_row(
        form_data(page), inline_prefix(page, "result"), **result_row(mine, rank=1, medal="gold", mark="12-3")
    )
    meanwhile(lambda: Result.objects.create(entry=rival, round=final, rank=1, medal="gold"))

    response = desk.post(change_url(final), data)

    assert_refused(
        response, "This round already has that medal. Tick 'tie' on both results if they are officially tied."
    )
    assert values_lost(response, data) == set()
    assert not final.results.filter(entry=mine).exists()
    assert not Change.objects.exists()


def test_a_second_result_for_one_athlete_in_one_round_is_refused_with_a_message(desk, meanwhile, final):
    mine = final.event.entries.get()
    page = desk.get(change_url(final))
    data = add_inline_row(form_data(page), inline_prefix(page, "result"), **result_row(mine, mark="10-2"))
    meanwhile(lambda: Result.objects.create(entry=mine, round=final))

    response = desk.post(change_url(final), data)

    assert_refused(
        response, "This athlete already has a result in this round. Change that result instead of adding another."
    )
    assert values_lost(response, data) == set()


def new_record_data(desk, model, **fields):
    return form_data(desk.get(admin_url(model, "add"))) | {key: str(value) for key, value in fields.items()}


def test_an_athlete_slug_taken_meanwhile_is_refused_with_a_message(desk, meanwhile, article_data):
    saleh = Athlete.objects.get(slug="roman-saleh")
    data = new_record_data(
        desk, Athlete, delegation=saleh.delegation_id, slug="leyla-aliyeva", name="Leyla Aliyeva", gender="W"
    ) | {"sport": str(saleh.sport_id), "status": "competing"}
    meanwhile(lambda: make_athlete(delegation=saleh.delegation, slug="leyla-aliyeva", name="Leyla Aliyev"))

    response = desk.post(admin_url(Athlete, "add"), data)

    assert_refused(
        response, "Another athlete of this delegation already has this slug (the web address). Choose another slug."
    )
    assert values_lost(response, data) == set()
    assert not Athlete.objects.filter(name="Leyla Aliyeva").exists()


def test_an_event_slug_taken_meanwhile_is_refused_with_a_message(desk, meanwhile, final):
    event = final.event
    data = new_record_data(
        desk, Event, games=event.games_id, slug="taekwondo-women-k44-65kg", sport=event.sport_id, gender="W"
    ) | {"mark_kind": "bout", "discipline": "-65 kg"}
    meanwhile(lambda: make_event(games=event.games, sport=event.sport, slug="taekwondo-women-k44-65kg"))

    response = desk.post(admin_url(Event, "add"), data)

    assert_refused(
        response, "Another event at these Games already has this slug (the web address). Choose another slug."
    )
    assert not Event.objects.filter(discipline="-65 kg").exists()


def test_a_spelling_added_meanwhile_is_refused_with_a_message(desk, meanwhile, article_data):
    saleh = Athlete.objects.get(slug="roman-saleh")
    page = desk.get(change_url(saleh))
    data = add_inline_row(form_data(page), inline_prefix(page, "athletename"), name="Roman Salekh", script="latin")
    meanwhile(lambda: AthleteName.objects.create(athlete=saleh, name="Roman Salekh"))

    response = desk.post(change_url(saleh), data)

    assert_refused(response, "This athlete already has this spelling. Remove the repeated one.")
    assert values_lost(response, data) == set()


def test_a_round_kind_added_meanwhile_is_refused_with_a_message(desk, meanwhile, final):
    event = final.event
    page = desk.get(change_url(event))
    data = add_inline_row(form_data(page), inline_prefix(page, "round"), kind="semifinal", order="2")
    meanwhile(lambda: make_round(event=event, kind=Round.Kind.SEMIFINAL))

    response = desk.post(change_url(event), data)

    assert_refused(response, "This event already has a round of this kind. Open that round, or choose another kind.")
    assert not event.rounds.filter(kind=Round.Kind.SEMIFINAL).exists()


def test_an_entry_made_meanwhile_is_refused_with_a_message(desk, meanwhile, final):
    event = final.event
    athlete = make_athlete(delegation=Athlete.objects.first().delegation, sport=event.sport, gender=event.gender)
    data = new_record_data(desk, Entry, event=event.pk, athlete=athlete.pk, status="entered")
    meanwhile(lambda: Entry.objects.create(event=event, athlete=athlete))

    response = desk.post(admin_url(Entry, "add"), data)

    assert_refused(response, "This athlete is already entered in this event.")


def test_a_medal_in_a_round_that_stopped_awarding_medals_meanwhile_is_refused_by_the_trigger(desk, meanwhile, final):
    entry = final.event.entries.get()
    data = new_record_data(desk, Result, round=final.pk, **result_row(entry, rank=1, medal="gold"))
    meanwhile(lambda: Round.objects.filter(pk=final.pk).update(kind=Round.Kind.REPECHAGE))

    response = desk.post(admin_url(Result, "add"), data)

    assert_refused(
        response,
        "Medals are won only in a final or a bronze medal contest, and this round is not (or no longer) one. "
        "Check the round's kind and the medals in it.",
    )
    assert not Result.objects.exists()


def test_a_result_whose_entry_moved_to_another_event_meanwhile_is_refused_by_the_trigger(desk, meanwhile, final):
    entry = final.event.entries.get()
    elsewhere = Event.objects.exclude(pk=final.event_id).first()
    data = new_record_data(desk, Result, round=final.pk, **result_row(entry, rank=2))
    meanwhile(lambda: Entry.objects.filter(pk=entry.pk).update(event=elsewhere))

    response = desk.post(admin_url(Result, "add"), data)

    assert_refused(
        response,
        "A result's athlete must be entered in the event of its round, and the entry or the round was changed "
        "meanwhile. Check the athlete and the round.",
    )


@pytest.fixture
def unused_sport(article_data):
    return make_sport(name="Wheelchair fencing")


def test_deleting_a_record_someone_linked_to_meanwhile_is_refused_with_a_message(desk, monkeypatch, unused_sport):
    delete_model = EditorAdmin.delete_model

    def delete_after_the_other_editor(self, request, obj):
        make_athlete(delegation=Athlete.objects.first().delegation, sport=unused_sport, name="Vusal Aliyev")
        delete_model(self, request, obj)

    monkeypatch.setattr(EditorAdmin, "delete_model", delete_after_the_other_editor)
    url = admin_url(Sport, "delete", unused_sport.pk)

    response = desk.post(url, {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert "Nothing was deleted. Other records still refer to it (1 athlete). Change or delete those first." in [
        str(message) for message in response.context["messages"]
    ]
    assert Sport.objects.filter(pk=unused_sport.pk).exists()
    assert not Change.objects.exists()


def test_a_bulk_delete_someone_interfered_with_changes_nothing_and_says_why(desk, monkeypatch, unused_sport):
    other = make_sport(name="Boccia")
    delete_queryset = EditorAdmin.delete_queryset

    def delete_after_the_other_editor(self, request, queryset):
        make_athlete(delegation=Athlete.objects.first().delegation, sport=unused_sport, name="Vusal Aliyev")
        delete_queryset(self, request, queryset)

    monkeypatch.setattr(EditorAdmin, "delete_queryset", delete_after_the_other_editor)

    response = desk.post(
        admin_url(Sport, "changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [unused_sport.pk, other.pk], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert "Nothing was changed. Other records still refer to it (1 athlete). Change or delete those first." in (
        messages
    )
    assert Sport.objects.filter(pk__in=[unused_sport.pk, other.pk]).count() == 2
    assert not Change.objects.exists()


def test_a_bulk_action_on_records_that_fail_validation_changes_nothing_and_says_why(desk, article_data):
    saleh = Athlete.objects.get(slug="roman-saleh")
    fine = Entry.objects.filter(athlete=saleh).first()
    # An entry in another sport's event, as only the shell or a broken import could make it.
    wrong = make_entry(athlete=saleh, event=make_event(games=saleh.delegation.games, gender="M"))

    response = desk.post(
        admin_url(Entry, "changelist"),
        {"action": "mark_withdrawn", ACTION_CHECKBOX_NAME: [fine.pk, wrong.pk], "apply": "1", "reason": "Ill"},
        follow=True,
    )

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert any(message.startswith("Nothing was changed. This event is in") for message in messages), messages
    assert not Entry.objects.filter(status="withdrawn").exists()


def test_a_revert_the_database_refuses_says_why_in_plain_words(desk, monkeypatch, final):
    result = make_result(entry=final.event.entries.get(), round=final, rank=1, medal="gold")
    before = history.snapshot(result)
    result.medal, result.rank = "", None
    result.save()
    change = history.record_save(result, before, None)
    full_clean = Result.full_clean

    def full_clean_then_the_round_changes(self, *args, **kwargs):
        full_clean(self, *args, **kwargs)
        Round.objects.filter(pk=final.pk).update(kind=Round.Kind.REPECHAGE)

    monkeypatch.setattr(Result, "full_clean", full_clean_then_the_round_changes)

    response = desk.post(reverse("admin:team_change_revert", args=[change.pk]), follow=True)

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert any("Medals are won only in a final or a bronze medal contest" in message for message in messages)
    result.refresh_from_db()
    assert result.medal == ""


def race(monkeypatch, url, data_for, users):
    """Editors submit at once, each from their own thread and connection; all pass validation before any
    saves. Their responses, in order."""
    all_validated = threading.Barrier(len(users), timeout=20)
    save_model = EditorAdmin.save_model
    responses = [None] * len(users)

    def save_model_once_all_validated(self, request, obj, form, change):
        all_validated.wait()
        save_model(self, request, obj, form, change)

    def submit(index, user):
        try:
            browser = Client(raise_request_exception=False)
            browser.force_login(user)
            responses[index] = browser.post(url, data_for(browser, index))
        finally:
            connection.close()

    monkeypatch.setattr(EditorAdmin, "save_model", save_model_once_all_validated)
    threads = [threading.Thread(target=submit, args=(n, user)) for n, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.mark.django_db(transaction=True)
def test_two_editors_racing_to_enter_gold_in_one_final_one_wins_the_other_gets_a_message(
    django_user_model, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time into the database, so saves cannot cross there.")
    athlete = make_athlete(gender="M")
    event = make_event(games=athlete.delegation.games, sport=athlete.sport, gender="M", mark_kind="bout")
    final = make_round(event=event)
    entries = [
        make_entry(athlete=athlete, event=event),
        make_entry(athlete=make_athlete(delegation=athlete.delegation, sport=athlete.sport, gender="M"), event=event),
    ]
    editors = Group.objects.get(name=EDITORS)
    users = [django_user_model.objects.create_user(name, is_staff=True) for name in ("amina", "rashad")]
    for user in users:
        user.groups.add(editors)

    def gold_for(browser, index):
        page = browser.get(change_url(final))
        return add_inline_row(
            form_data(page), inline_prefix(page, "result"), **result_row(entries[index], rank=1, medal="gold")
        )

    responses = race(monkeypatch, change_url(final), gold_for, users)

    assert sorted(response.status_code for response in responses) == [200, 302]
    loser = next(response for response in responses if response.status_code == 200)
    # Refused by the database when both validated before either committed ("…has that medal"), or by
    # validation when the winner had committed first ("…has a gold medal"): either way, told why. The page
    # is read as text: two requests rendering at once in threads can swap what the test client captures.
    assert "This round already has" in loser.content.decode()
    assert final.results.filter(medal="gold").count() == 1


# Review flags make their own slugs


def test_two_flags_added_from_an_athletes_page_each_get_a_slug_of_their_own(desk, article_data):
    saleh = Athlete.objects.get(slug="roman-saleh")
    page = desk.get(change_url(saleh))
    prefix = inline_prefix(page, "reviewflag")
    data = add_inline_row(form_data(page), prefix, note="Check the spelling of the surname.")
    data = add_inline_row(data, prefix, note="Check the spelling of the surname.")

    response = desk.post(change_url(saleh), data)

    assert response.status_code == 302
    new = saleh.flags.filter(note="Check the spelling of the surname.").order_by("pk")
    assert list(new.values_list("slug", flat=True)) == [
        "athlete-roman-saleh-check-the-spelling-of",
        "athlete-roman-saleh-check-the-spelling-of-2",
    ]


def test_an_editor_may_still_type_a_flags_slug(desk, article_data):
    saleh = Athlete.objects.get(slug="roman-saleh")
    data = new_record_data(desk, ReviewFlag, slug="saleh-classes", note="Which classes?", athlete=saleh.pk)

    response = desk.post(admin_url(ReviewFlag, "add"), data)

    assert response.status_code == 302
    assert ReviewFlag.objects.get(slug="saleh-classes").athlete == saleh


def test_a_flag_added_without_a_slug_from_the_review_queue_gets_one(desk, article_data):
    saleh = Athlete.objects.get(slug="roman-saleh")
    data = new_record_data(desk, ReviewFlag, note="Which classes?", athlete=saleh.pk)

    response = desk.post(admin_url(ReviewFlag, "add"), data)

    assert response.status_code == 302
    assert ReviewFlag.objects.get(note="Which classes?").slug == "athlete-roman-saleh-which-classes"


def test_the_articles_flags_load_again_by_their_slugs(article_data, tmp_path):
    flags = ReviewFlag.objects.order_by("slug")
    slugs = list(flags.values_list("slug", flat=True))
    dump = tmp_path / "flags.json"
    dump.write_text(serializers.serialize("json", flags, use_natural_foreign_keys=True, use_natural_primary_keys=True))
    ReviewFlag.objects.filter(slug=slugs[0]).update(note="Edited since the dump.")
    ReviewFlag.objects.exclude(slug=slugs[0]).delete()

    call_command("loaddata", str(dump), verbosity=0)

    assert list(ReviewFlag.objects.order_by("slug").values_list("slug", flat=True)) == slugs
    assert ReviewFlag.objects.get(slug=slugs[0]).note != "Edited since the dump."


# Malformed input: targeted cases


def test_a_nul_byte_in_a_text_field_is_refused_in_plain_words(desk, article_data):
    saleh = Athlete.objects.get(slug="roman-saleh")
    data = form_data(desk.get(change_url(saleh))) | {"name": "Roman\x00Saleh", "correction_note": "Spelling."}

    response = desk.post(change_url(saleh), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [str(NUL_REFUSED)]
    assert Athlete.objects.get(pk=saleh.pk).name == "Roman Saleh"


@pytest.mark.parametrize(
    ("model", "parameter"),
    [(Athlete, "q"), (Athlete, "status__exact"), (Athlete, "name"), (Change, "object_id"), (Result, "o")],
)
def test_a_nul_byte_in_a_list_address_is_refused_with_a_400_that_says_why(desk, article_data, model, parameter):
    response = desk.get(admin_url(model, "changelist"), {parameter: "Saleh\x00"})

    assert response.status_code == 400
    assert "contains a control character (NUL)" in response.text


def test_a_nul_byte_in_an_autocomplete_search_is_refused_with_a_400(desk, article_data):
    response = desk.get(
        reverse("admin:autocomplete"),
        {"app_label": "team", "model_name": "entry", "field_name": "athlete", "term": "Sal\x00"},
    )

    assert response.status_code == 400


def test_an_autocomplete_id_that_is_not_one_is_refused_as_an_unknown_choice(desk, final):
    data = new_record_data(desk, Result, round=final.pk, status="ok", settled="provisional") | {"entry": "abc"}

    response = desk.post(admin_url(Result, "add"), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.context["adminform"].form.errors["entry"][0]


def test_a_class_id_beyond_any_key_is_refused_as_an_unknown_choice(desk, article_data):
    saleh = Athlete.objects.get(slug="roman-saleh")
    data = form_data(desk.get(change_url(saleh))) | {"sport_classes": ["99999999999999999999999"]}

    response = desk.post(change_url(saleh), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sport_classes"] == [
        "“99999999999999999999999” is not a valid value."
    ]


@pytest.mark.parametrize("selected", ["abc", "99999999999999999999999", "\x00"])
def test_an_action_on_a_selection_that_is_not_ids_changes_nothing_and_says_so(desk, article_data, selected):
    response = desk.post(
        admin_url(Athlete, "changelist"),
        {"action": "mark_competing", ACTION_CHECKBOX_NAME: [selected], "index": "0"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Nothing was changed: the selection could not be read. Select the records again." in [
        str(message) for message in response.context["messages"]
    ]
    assert not Change.objects.exists()


def test_an_action_that_does_not_exist_is_reported_not_run(desk, article_data):
    saleh = Athlete.objects.get(slug="roman-saleh")

    response = desk.post(
        admin_url(Athlete, "changelist"), {"action": "drop_table", ACTION_CHECKBOX_NAME: [saleh.pk], "index": "0"}
    )

    assert response.status_code == 302
    assert not Change.objects.exists()


def test_one_spelling_submitted_twice_in_an_inline_is_refused(desk, article_data):
    spelling = AthleteName.objects.get()
    page = desk.get(change_url(spelling.athlete))
    prefix = inline_prefix(page, "athletename")
    data = form_data(page)
    row = {key.removeprefix(f"{prefix}-0-"): value for key, value in data.items() if key.startswith(f"{prefix}-0-")}
    data = add_inline_row(data, prefix, **row | {"name": "Imaməddin Xəlilov", "correction_note": "Letters."})
    data[f"{prefix}-INITIAL_FORMS"] = "2"

    response = desk.post(change_url(spelling.athlete), data)

    assert response.status_code == 200
    assert "The same row was sent twice. Reload the page and make your changes again." in errors_of(response)
    assert AthleteName.objects.get().name == spelling.name


@pytest.mark.parametrize(("initial_forms", "total_forms"), [("5", "5"), ("-1", "5"), ("abc", "5"), ("2", "999999999")])
def test_an_inline_claiming_rows_that_are_not_there_is_refused(desk, final, initial_forms, total_forms):
    page = desk.get(change_url(final.event))
    prefix = inline_prefix(page, "round")
    data = form_data(page) | {f"{prefix}-INITIAL_FORMS": initial_forms, f"{prefix}-TOTAL_FORMS": total_forms}

    response = desk.post(change_url(final.event), data)

    assert response.status_code == 200
    assert errors_of(response)
    assert final.event.rounds.count() == 2


def test_a_year_beyond_any_calendar_in_the_history_list_is_treated_as_a_wrong_filter(desk, article_data):
    response = desk.get(admin_url(Change, "changelist"), {"at__year": "99999999999999999999999"})

    assert response.status_code == 302
    assert response.url.endswith("?e=1")


@pytest.mark.parametrize("object_id", ["abc", "999999", "-1", "%00", "99999999999999999999999"])
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_an_address_for_a_record_that_does_not_exist_is_no_server_error(desk, article_data, view, object_id):
    response = desk.get(f"{reverse('admin:team_athlete_changelist')}{object_id}/{view}/", follow=True)

    assert response.status_code in (200, 400)


# Malformed input: a fuzz over every team admin


def server_errors(responses):
    return [(where, response.status_code) for where, response in responses if response.status_code >= 500]


def malformed_submissions(data):
    """`data` with malformed values in every field at once, each field taking each value in turn; then the
    inline management forms tampered with the same way, the fields left as they were."""
    fields = [key for key in data if not key.endswith(MANAGEMENT)]
    management = [key for key in data if key.endswith(MANAGEMENT)]
    for keys in (fields, management):
        for shift in range(len(MALFORMED) if keys else 0):
            yield data | {key: MALFORMED[(n + shift) % len(MALFORMED)] for n, key in enumerate(keys)}


#: Every add and change page (the history has no add page: it only grows through edits; nor have former web
#: addresses: their athlete's or event's save keeps them).
FORM_PAGES = [
    pytest.param(model, view, id=f"{model._meta.label}-{view}")
    for model in TEAM_MODELS
    for view in ("add", "change")
    if not (model in (Change, FormerSlug) and view == "add")
]


@pytest.mark.parametrize(("model", "view"), FORM_PAGES)
def test_no_malformed_form_value_gives_a_server_error(desk, records, model, view):
    url = admin_url(model, "add") if view == "add" else change_url(model._default_manager.first())
    page = desk.get(url)
    assert page.status_code == 200

    responses = [(url, page)]
    if "adminform" in page.context and page.context["adminform"].form.fields:
        responses += [(data, desk.post(url, data)) for data in malformed_submissions(form_data(page))]

    assert server_errors(responses) == []


def changelist_parameters(model, page):
    admin_page = admin.site._registry[model]
    parameters = ["q", "o", "p"] + [
        name for spec in page.context["cl"].filter_specs for name in spec.expected_parameters()
    ]
    if admin_page.date_hierarchy:
        parameters += [f"{admin_page.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return parameters


@pytest.mark.parametrize("model", TEAM_MODELS, ids=lambda model: model._meta.label)
def test_no_malformed_list_parameter_gives_a_server_error(desk, records, model):
    url = admin_url(model, "changelist")
    page = desk.get(url)

    responses = [
        ((parameter, value), desk.get(url, {parameter: value}))
        for parameter in changelist_parameters(model, page)
        for value in MALFORMED
    ]

    assert server_errors(responses) == []
    assert page.status_code == 200


@pytest.mark.parametrize("model", TEAM_MODELS, ids=lambda model: model._meta.label)
def test_no_malformed_action_or_selection_gives_a_server_error(desk, records, model):
    url = admin_url(model, "changelist")
    page = desk.get(url)
    actions = [*admin.site._registry[model].get_actions(page.wsgi_request), "drop_table", "\x00", ""]
    record = model._default_manager.first()

    responses = [
        ((action, selected), desk.post(url, {"action": action, ACTION_CHECKBOX_NAME: selected, "index": "0"}))
        for action in actions
        for selected in [*([value] for value in MALFORMED), [record.pk, record.pk, "abc"]]
    ]

    assert server_errors(responses) == []


@pytest.mark.parametrize("model", TEAM_MODELS, ids=lambda model: model._meta.label)
def test_no_malformed_record_address_gives_a_server_error(desk, records, model):
    changelist = admin_url(model, "changelist")

    responses = [
        ((view, object_id), desk.get(f"{changelist}{object_id}/{view}/", follow=True))
        for view in ("change", "delete", "history")
        for object_id in ("abc", "999999999", "-1", "%00", "99999999999999999999999")
    ]

    assert server_errors(responses) == []


@pytest.mark.parametrize(
    "parameters",
    [
        {"app_label": "team", "model_name": "entry", "field_name": "athlete", "term": "\x00"},
        {"app_label": "team", "model_name": "entry", "field_name": "athlete", "term": "A" * 5000},
        {"app_label": "team", "model_name": "entry", "field_name": "athlete", "term": "Saleh", "page": "abc"},
        {"app_label": "team", "model_name": "entry", "field_name": "<script>", "term": "Saleh"},
        {"app_label": "team", "model_name": "nothing", "field_name": "athlete"},
        {"app_label": "\x00"},
        {},
    ],
)
def test_no_malformed_autocomplete_request_gives_a_server_error(desk, article_data, parameters):
    response = desk.get(reverse("admin:autocomplete"), parameters)

    assert response.status_code < 500


# The login


@pytest.fixture
def login(client, editor, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    editor.set_password("long-enough-password")
    editor.save()

    def log_in(next_page):
        url = f"{reverse('admin:login')}?next={next_page}"
        return client.post(url, {"username": "amina", "password": "long-enough-password"})

    return log_in


def test_a_login_asked_to_go_to_another_host_lands_on_the_admin_index(login):
    response = login("https://evil.example/")

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_a_login_asked_to_go_to_a_page_of_this_site_goes_there(login):
    page = reverse("admin:team_athlete_changelist")

    response = login(page)

    assert response.url == page


# The Editors group after migrate


@pytest.fixture
def editors(db):
    return Group.objects.get(name=EDITORS)


def codenames(group):
    return set(group.permissions.values_list("codename", flat=True))


def test_a_fresh_database_gives_the_editors_every_editor_permission_and_nothing_else(editors):
    assert codenames(editors) == set(editor_permissions().values_list("codename", flat=True))


def test_migrate_recreates_a_deleted_editors_group_with_every_editor_permission(editors):
    expected = codenames(editors)
    editors.delete()

    call_command("migrate", verbosity=0)

    assert codenames(Group.objects.get(name=EDITORS)) == expected


def test_migrate_does_not_give_back_a_permission_an_administrator_took_away(editors):
    editors.permissions.remove(Permission.objects.get(codename="delete_athlete"))

    call_command("migrate", verbosity=0)

    assert "delete_athlete" not in codenames(editors)
    assert "change_athlete" in codenames(editors)


def test_migrate_does_not_take_away_a_permission_an_administrator_granted(editors):
    editors.permissions.add(Permission.objects.get(codename="view_user"))

    call_command("migrate", verbosity=0)

    assert "view_user" in codenames(editors)


def test_a_migration_creating_a_model_offers_its_permissions_to_the_editors(editors):
    # As if Athlete were new: its permissions are missing, as they would be before its first migrate.
    editors.permissions.remove(*Permission.objects.filter(content_type__model="athlete"))
    editors.permissions.remove(Permission.objects.get(codename="delete_sport"))
    creating_athletes = migrations.Migration("0099_athletes", "team")
    creating_athletes.operations = [migrations.CreateModel("Athlete", fields=[])]

    ensure_editors_group(plan=[(creating_athletes, False)])

    assert {"add_athlete", "change_athlete", "delete_athlete", "view_athlete"} <= codenames(editors)
    assert "delete_sport" not in codenames(editors)
