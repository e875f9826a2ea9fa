"""Imports: an official results table or a schedule, pasted or uploaded, previewed, confirmed, reverted as one."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from team import history, imports
from team.models import Change, Entry, Event, Result, Round, Source
from team.tests.factories import make_result

pytestmark = pytest.mark.usefixtures("article_data")

IMPORT_URL = "admin:team_import"
MIXED_PISTOL = "shooting-p4-50m"
BACKSTROKE = "swimming-men-s12-100m-backstroke"

#: The mixed 50 m pistol SH1 final as the official results page copies out: every nation, names as "SURNAME Given".
FINAL_TSV = (
    "Rank\tName\tNPC\tResult\tNotes\n"
    "1\tZEYNALOV Kamran\tAZE\t234.5\tPR\n"
    "2\tPARK Jinho\tKOR\t232.0\t\n"
    "=3\tBABAYEVA Aybeniz\tAZE\t220.1\t\n"
    "=3\tSMITH Anna\tGBR\t220.1\t\n"
)
BAD_ROW = "=3\tBABAYEVA Aybeniz\tAZE\t220,1 points\t\n"


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def event(slug):
    return Event.objects.get(slug=slug)


def preview(client, text="", **fields):
    data = {"layout": "results", "settled": "official", "text": text, **fields}
    return client.post(reverse(IMPORT_URL), data)


def results_of(slug, kind="final"):
    return {
        result.entry.athlete.slug: result
        for result in Result.objects.filter(round__event__slug=slug, round__kind=kind).select_related("entry__athlete")
    }


def confirm(client, previewed, **changes):
    """Post the previewed form again with its confirm button, as the page's form would send it."""
    token = previewed.context["token"]
    assert token, previewed.context["plan"].errors
    data = {**previewed.context["form"].data.dict(), **previewed.context["cite"].data.dict()}
    data.pop("preview", None)
    return client.post(reverse(IMPORT_URL), {**data, "confirm": "1", "seen": token, **changes})


def errors(response):
    return [(error.row, error.column, error.value) for error in response.context["plan"].errors]


def final_fields(slug=MIXED_PISTOL, **more):
    return {"event": event(slug).pk, "kind": "final", **more}


# Reading tables


def test_a_table_copied_from_a_results_page_is_read_as_tsv_with_its_heading_and_spaces():
    text = "Mixed 50m Pistol SH1 – Final\n\nPos\tAthlete\tCountry\tMark\tBib\n1\tZEYNALOV\xa0Kamran\tAZE\t234.5 \t12\n"

    table = imports.read_table(text, imports.Layout.RESULTS)

    assert table.headers == {"rank": "Pos", "name": "Athlete", "npc": "Country", "result": "Mark"}
    assert table.rows == [(4, {"rank": "1", "name": "ZEYNALOV Kamran", "npc": "AZE", "result": "234.5"})]
    assert table.ignored == ["Bib"]


def test_a_csv_file_with_quoted_commas_is_read_by_its_header_in_any_case():
    text = 'RANK,NAME,npc,Time\r\n1,"SALEH, Roman",AZE,1:00.27\r\n'

    table = imports.read_table(text, imports.Layout.RESULTS)

    assert table.rows == [(2, {"rank": "1", "name": "SALEH, Roman", "npc": "AZE", "result": "1:00.27"})]


def test_a_row_with_more_cells_than_the_header_says_why():
    table = imports.read_table("Rank,Name,NPC,Time\n1,SALEH, Roman,AZE,1:00.27\n", imports.Layout.RESULTS)

    assert table.rows == []
    assert "comma inside a value" in table.errors[0].message


def test_a_table_without_the_needed_columns_is_refused_with_the_layout():
    with pytest.raises(imports.Refused, match="No header line found"):
        imports.read_table("Athlete,Time\nSALEH Roman,1:00.27\n", imports.Layout.RESULTS)


# Results: preview


def test_preview_matches_surname_first_names_and_skips_other_npcs(desk):
    response = preview(desk, FINAL_TSV, **final_fields())

    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.errors == []
    assert [(item.row, str(item)) for item in plan.new] == [
        (None, "Shooting Para sport, mixed – 50 m P4 – Final"),
        (2, "Kamran Zeynalov – Final"),
        (4, "Aybeniz Babayeva – Final"),
    ]
    assert [(skipped.row, skipped.what) for skipped in plan.skipped] == [
        (3, "PARK Jinho (KOR)"),
        (5, "SMITH Anna (GBR)"),
    ]
    page = response.content.decode()
    assert "PARK Jinho (KOR)" in page and "another NPC" in page
    assert 'name="confirm"' in page
    assert not Result.objects.filter(round__event__slug=MIXED_PISTOL).exists()


def test_ranks_ties_statuses_records_and_qualification_are_read_from_their_columns(desk):
    text = "Rank\tName\tNPC\tResult\tNotes\n1\tZEYNALOV Kamran\tAZE\t234.5 (=WR)\tQ\nDNS\tBABAYEVA Aybeniz\tAZE\t\t\n"
    plan = preview(desk, text, event=event(MIXED_PISTOL).pk, kind="preliminary").context["plan"]

    assert plan.errors == []
    kamran, aybeniz = (item.obj for item in plan.new if isinstance(item.obj, Result))
    assert (kamran.rank, kamran.mark, kamran.record, kamran.progress, kamran.medal) == (
        1,
        "234.5",
        "WR",
        "advanced",
        "",
    )
    assert (aybeniz.status, aybeniz.rank, aybeniz.mark) == ("dns", None, "")


def test_a_bronze_medal_contest_gives_bronze_to_rank_three_and_a_tie_marker_ties():
    tsv = "Rank\tName\tNPC\tResult\nT3\tKARIMOVA Dursadaf\tAZE\t\n5\tISMIYEVA Khatira\tAZE\tDQ\n"
    from team.models import Delegation

    importer = imports.ResultsImport(
        Delegation.objects.get(npc_code="AZE"), event("judo-women-class-tbc"), "bronze", "official"
    )
    plan = importer.plan(tsv)

    assert plan.errors == []
    karimova, ismiyeva = (item.obj for item in plan.new if isinstance(item.obj, Result))
    assert (karimova.rank, karimova.tie, karimova.medal) == (3, True, "bronze")
    assert (ismiyeva.status, ismiyeva.rank, ismiyeva.medal) == ("dq", None, "")


def test_one_bad_row_is_shown_first_with_its_row_column_and_value_and_nothing_is_saved(desk):
    text = FINAL_TSV.replace("=3\tBABAYEVA Aybeniz\tAZE\t220.1\t\n", BAD_ROW)
    rounds_before = Round.objects.count()

    response = preview(desk, text, **final_fields())

    assert errors(response) == [(4, "Result", "220,1 points")]
    assert "records points such as 563" in response.context["plan"].errors[0].message
    page = response.content.decode()
    assert page.index('id="import-errors"') < page.index('id="import-new"')
    assert 'name="confirm"' not in page
    assert "220,1 points" in page  # the pasted text is kept for the fix
    assert Round.objects.count() == rounds_before
    assert not Result.objects.exists()


def test_an_athlete_not_entered_in_the_event_is_a_row_error(desk):
    text = "Rank\tName\tNPC\tTime\n1\tSALEH Roman\tAZE\t1:00.27\n"

    response = preview(desk, text, **final_fields())

    assert errors(response) == [(2, "Name", "SALEH Roman")]
    assert "is not entered in" in response.context["plan"].errors[0].message


def test_an_unknown_name_of_the_delegation_is_a_row_error_that_says_how_to_fix_it(desk):
    response = preview(desk, "Rank\tName\tNPC\tTime\n1\tNOBODY Such\tAZE\t1:00.27\n", **final_fields(BACKSTROKE))

    assert errors(response) == [(2, "Name", "NOBODY Such")]
    assert "other spellings" in response.context["plan"].errors[0].message


# Results: confirm and revert


def test_the_fixed_table_is_confirmed_in_one_batch_citing_the_new_source(desk, editor):
    bad = preview(desk, FINAL_TSV.replace("=3\tBABAYEVA Aybeniz\tAZE\t220.1\t\n", BAD_ROW), **final_fields())
    assert bad.context["token"] is None
    source = {"cite-outlet": "Paris 2024 official results", "cite-title": "Mixed 50m Pistol SH1 – Final"}

    fixed = preview(desk, FINAL_TSV, **final_fields(), **source)
    response = confirm(desk, fixed)

    assert response.status_code == 302
    results = results_of(MIXED_PISTOL)
    kamran, aybeniz = results["kamran-zeynalov"], results["aybeniz-babayeva"]
    assert (kamran.rank, kamran.mark, kamran.record, kamran.medal, kamran.settled) == (
        1,
        "234.5",
        "PR",
        "gold",
        "official",
    )
    assert (aybeniz.rank, aybeniz.tie, aybeniz.medal) == (3, True, "bronze")
    cited = Source.objects.get(outlet="Paris 2024 official results")
    assert {kamran.source, aybeniz.source, kamran.round.source} == {cited}
    batch = Change.objects.for_object(kamran).get().batch
    assert Change.objects.filter(batch=batch).count() == 4  # the source, the round, two results
    assert set(Change.objects.filter(batch=batch).values_list("user", flat=True)) == {editor.pk}
    followed = desk.get(response["Location"])
    message = str(next(iter(followed.context["messages"])))
    assert "2 added" not in message and "3 added" in message and "2 rows of other NPCs skipped" in message
    first = Change.objects.filter(batch=batch).order_by("position", "pk").first()
    assert reverse("admin:team_change_revert_batch", args=[first.pk]) in message


def test_reverting_the_batch_from_the_history_undoes_the_whole_import(desk):
    response = confirm(desk, preview(desk, FINAL_TSV, **final_fields(), **{"cite-outlet": "Official results"}))
    assert response.status_code == 302
    first = Change.objects.filter(batch=Change.objects.latest("pk").batch).order_by("position", "pk").first()

    change_page = desk.get(reverse("admin:team_change_change", args=[first.pk]))
    url = reverse("admin:team_change_revert_batch", args=[first.pk])
    assert url in change_page.content.decode()
    confirmation = desk.get(url)
    assert confirmation.status_code == 200
    assert "Kamran Zeynalov" in confirmation.content.decode()
    listing = desk.get(f"{reverse('admin:team_change_changelist')}?batch={first.batch}")
    assert listing.status_code == 200 and listing.context["cl"].result_count == 4

    reverted = desk.post(url)

    assert reverted.status_code == 302
    assert not Result.objects.filter(round__event__slug=MIXED_PISTOL).exists()
    assert not Round.objects.filter(event__slug=MIXED_PISTOL).exists()
    assert not Source.objects.filter(outlet="Official results").exists()


def test_a_refused_batch_revert_says_why_and_reverts_nothing(desk, editor):
    confirm(desk, preview(desk, FINAL_TSV, **final_fields()))
    history.delete_with_history([results_of(MIXED_PISTOL)["aybeniz-babayeva"]], editor)
    first = Change.objects.filter(action="added").order_by("pk").first()

    response = desk.post(reverse("admin:team_change_revert_batch", args=[first.pk]), follow=True)

    refusals = [str(message) for message in response.context["messages"] if "Nothing was reverted" in str(message)]
    assert refusals and "no longer exists" in refusals[0]
    assert set(results_of(MIXED_PISTOL)) == {"kamran-zeynalov"}


def test_a_result_changed_between_preview_and_confirm_is_not_saved_and_the_preview_comes_back(desk):
    final = Round.objects.create(event=event(MIXED_PISTOL), kind="final")
    kamran_entry = Entry.objects.get(event__slug=MIXED_PISTOL, athlete__slug="kamran-zeynalov")
    kamran = make_result(
        entry=kamran_entry, round=final, rank=1, medal="gold", mark="234.5", record="PR", settled="official"
    )
    previewed = preview(desk, FINAL_TSV, **final_fields())
    assert previewed.context["token"]

    kamran.mark = "230.0"
    kamran.save()  # another editor, meanwhile
    response = confirm(desk, previewed)

    assert response.status_code == 200
    assert "another editor changed Kamran Zeynalov – Final" in str(next(iter(response.context["messages"])))
    assert set(results_of(MIXED_PISTOL)) == {"kamran-zeynalov"}
    assert not Change.objects.exists()


def test_a_table_edited_after_its_preview_is_previewed_again_before_saving(desk):
    previewed = preview(desk, FINAL_TSV, **final_fields())

    response = confirm(desk, previewed, text=FINAL_TSV.replace("234.5", "234.6"))

    assert response.status_code == 200
    assert "changed after the preview" in str(next(iter(response.context["messages"])))
    assert not Result.objects.exists()


def test_changing_published_results_needs_the_correction_note(desk):
    confirm(desk, preview(desk, FINAL_TSV, **final_fields()))
    corrected = FINAL_TSV.replace("234.5\tPR", "234.7\tPR")

    refused = preview(desk, corrected, **final_fields())

    assert errors(refused) == [(2, "", "Kamran Zeynalov – Final")]
    assert "Write a correction note" in refused.context["plan"].errors[0].message
    assert refused.context["token"] is None

    note = "The official results corrected Zeynalov's final score."
    noted = preview(desk, corrected, **final_fields(correction_note=note))
    assert [str(item) for item in noted.context["plan"].changed] == ["Kamran Zeynalov – Final"]
    assert [str(item) for item in noted.context["plan"].unchanged] == ["Aybeniz Babayeva – Final"]
    assert confirm(desk, noted).status_code == 302
    kamran = results_of(MIXED_PISTOL)["kamran-zeynalov"]
    assert kamran.mark == "234.7"
    change = Change.objects.for_object(kamran).latest("pk")
    assert (change.correction_note, change.fields["mark"]) == (note, ["234.5", "234.7"])


def test_a_correction_citing_a_new_source_is_reverted_whole(desk):
    confirm(desk, preview(desk, FINAL_TSV, **final_fields()))
    corrected = FINAL_TSV.replace("234.5\tPR", "234.7\tPR")
    fields = final_fields(correction_note="Score corrected.", **{"cite-outlet": "World Shooting Para Sport"})
    assert confirm(desk, preview(desk, corrected, **fields)).status_code == 302
    change = Change.objects.filter(correction_note="Score corrected.").get()

    desk.post(reverse("admin:team_change_revert_batch", args=[change.pk]))

    kamran = results_of(MIXED_PISTOL)["kamran-zeynalov"]
    assert (kamran.mark, kamran.source) == ("234.5", None)
    # The corrections log still cites the source, so it stays on file.
    assert Source.objects.filter(outlet="World Shooting Para Sport").exists()


# Schedule


def schedule_csv():
    """Rounds of two events, one named by its slug, the other by its name as the admin shows it."""
    judo = event("judo-women-class-tbc").name.replace("–", "-")
    return (
        "Date,Time,Event,Round,Label\n"
        f"2024-08-29,18:30,{BACKSTROKE},Final,\n"
        f"Thu 29 Aug,10:00,{BACKSTROKE.upper()},heat,Heats 1-2\n"
        f'30/08/2024,9:00,"{judo}",Round of 16,\n'
        "5 Sep 2024,4:00 pm,judo-women-class-tbc,Bronze medal contest,\n"
    )


def test_a_schedule_import_creates_rounds_in_the_order_their_kinds_follow(desk):
    previewed = preview(desk, schedule_csv(), layout="schedule", **{"cite-source": Source.objects.first().pk})
    assert previewed.context["plan"].errors == []
    assert len(previewed.context["plan"].new) == 4

    assert confirm(desk, previewed).status_code == 302

    backstroke = list(Round.objects.filter(event__slug=BACKSTROKE).order_by("order"))
    assert [(r.kind, r.scheduled_date, r.scheduled_time, r.label) for r in backstroke] == [
        ("heats", datetime.date(2024, 8, 29), datetime.time(10), "Heats 1-2"),
        ("final", datetime.date(2024, 8, 29), datetime.time(18, 30), ""),
    ]
    judo = list(Round.objects.filter(event__slug="judo-women-class-tbc").order_by("order"))
    assert [r.kind for r in judo] == ["round_of_16", "bronze"]
    assert {r.source for r in backstroke + judo} == {Source.objects.first()}


def test_a_schedule_row_with_an_unknown_event_round_or_date_says_how_to_fix_it(desk):
    text = "Date,Time,Event,Round\n2024-13-40,25:00,no-such-event,Warm-up\n2024-10-01,10:00,judo-men-class-tbc,Final\n"

    response = preview(desk, text, layout="schedule")

    assert errors(response) == [
        (2, "Event", "no-such-event"),
        (2, "Round", "Warm-up"),
        (2, "Date", "2024-13-40"),
        (2, "Time", "25:00"),
        (3, "Date", "2024-10-01"),
    ]
    assert "outside" in response.context["plan"].errors[-1].message


def test_rescheduling_a_published_round_needs_the_correction_note(desk):
    text = "Date,Time,Event,Round\n2024-08-31,16:00,taekwondo-men-k44-80kg,Final\n"

    refused = preview(desk, text, layout="schedule")
    noted = preview(desk, text, layout="schedule", correction_note="The final moved to 16:00.")

    assert "Write a correction note" in refused.context["plan"].errors[0].message
    assert [str(item) for item in noted.context["plan"].changed] == ["Para taekwondo, men – 80 kg K44 – final matches"]
    assert confirm(desk, noted).status_code == 302
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    assert (final.scheduled_date, final.scheduled_time) == (datetime.date(2024, 8, 31), datetime.time(16))


# Bad input


def test_an_empty_oversized_or_binary_input_gets_a_clear_message(desk, monkeypatch):
    def table_errors(response):
        form = response.context["form"]
        return " ".join(form.errors.get("text", []) + form.errors.get("upload", []))

    assert "Paste a table" in table_errors(preview(desk, "  \n", **final_fields()))
    assert "no rows" in table_errors(preview(desk, "Rank\tName\tNPC\n", **final_fields()))

    monkeypatch.setattr(imports, "MAX_BYTES", 500)
    big = FINAL_TSV + "9\tSOMEONE Else\tUSA\t100.0\t\n" * 20
    assert "too large" in table_errors(preview(desk, big, **final_fields()))
    upload = SimpleUploadedFile("final.csv", big.encode())
    assert "too large" in table_errors(preview(desk, upload=upload, **final_fields()))
    monkeypatch.setattr(imports, "MAX_BYTES", 200_000)

    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    assert "too large" in table_errors(preview(desk, FINAL_TSV + FINAL_TSV.split("\n", 1)[1], **final_fields()))
    monkeypatch.setattr(imports, "MAX_ROWS", 500)

    xlsx = SimpleUploadedFile("final.xlsx", b"PK\x03\x04" + bytes(range(256)))
    assert "spreadsheet file" in table_errors(preview(desk, upload=xlsx, **final_fields()))
    latin = SimpleUploadedFile("final.csv", "Rank,Name,NPC\n1,MÜLLER Jörg,GER\n".encode("latin-1"))
    assert "not UTF-8 text" in table_errors(preview(desk, upload=latin, **final_fields()))
    binary = SimpleUploadedFile("final.csv", b"Rank,Name\x00\x01\x02,NPC\n")
    assert "control characters" in table_errors(preview(desk, upload=binary, **final_fields()))


def test_an_uploaded_file_is_read_and_its_text_kept_in_the_table_field(desk):
    upload = SimpleUploadedFile("final.tsv", b"\xef\xbb\xbf" + FINAL_TSV.encode())

    response = preview(desk, upload=upload, **final_fields())

    assert response.context["plan"].errors == []
    assert "ZEYNALOV Kamran" in response.context["form"]["text"].value()


@pytest.mark.parametrize(
    "tampered",
    [
        {"event": "abc", "kind": "final"},
        {"event": "99999999999999999999999", "kind": "final"},
        {"kind": "sprint"},
        {"layout": "spreadsheet"},
        {"settled": "maybe"},
        {"text": "Rank\tName\tNPC\n1\tSALEH\x00Roman\tAZE\n"},
        {"correction_note": "oops\x00"},
        {"cite-source": "abc"},
        {"confirm": "1", "seen": "forged\x00token"},
        {"confirm": "1", "seen": ""},
    ],
)
def test_tampered_posts_get_a_message_never_a_server_error(desk, tampered):
    data = {"layout": "results", "settled": "official", "text": FINAL_TSV, **final_fields(), **tampered}

    response = desk.post(reverse(IMPORT_URL), data)

    assert response.status_code == 200
    assert not Result.objects.exists()


def test_a_batch_address_that_is_no_batch_lists_nothing_and_never_fails(desk):
    response = desk.get(f"{reverse('admin:team_change_changelist')}?batch=not-a-batch")

    assert response.status_code in (200, 302)
    assert desk.get(f"{reverse(IMPORT_URL)}?event=abc&kind=sprint&layout=x").status_code == 200


def test_importing_needs_permission_to_add_and_change_results_and_rounds(client, editor):
    editor.groups.clear()
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_round", "add_result", "change_result"]))
    client.force_login(editor)

    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert preview(client, FINAL_TSV, **final_fields()).status_code == 403
    assert "Import results or a schedule" not in client.get(reverse("admin:team_round_changelist")).content.decode()


def test_the_import_is_reached_from_the_rounds_list_and_the_event_page(desk):
    rounds = desk.get(reverse("admin:team_round_changelist")).content.decode()
    pistol = event(MIXED_PISTOL)
    event_page = desk.get(reverse("admin:team_event_change", args=[pistol.pk])).content.decode()

    assert reverse(IMPORT_URL) in rounds
    assert f"{reverse(IMPORT_URL)}?event={pistol.pk}" in event_page
    form = desk.get(f"{reverse(IMPORT_URL)}?event={pistol.pk}").context["form"]
    assert form["event"].value() == str(pistol.pk)


def test_reverting_a_batch_needs_the_revert_permission(client, editor):
    confirm_client = client
    confirm_client.force_login(editor)
    confirm(confirm_client, preview(confirm_client, FINAL_TSV, **final_fields()))
    first = Change.objects.order_by("pk").first()
    editor.groups.clear()
    editor.user_permissions.add(Permission.objects.get(codename="view_change"))

    assert client.post(reverse("admin:team_change_revert_batch", args=[first.pk])).status_code == 403
    assert len(results_of(MIXED_PISTOL)) == 2
