"""Results as sport records them: record marks typed with the mark, how far an athlete went, and rounds
that take their place in the event from their kind."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from team.models import KIND_ORDER, MarkKind, Progress, RecordMark, Result, Round, RoundKind
from team.tests.factories import make_entry, make_event, make_result, make_round

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "mark", "record"),
    [
        ("11.44 (SB)", "11.44", "SB"),
        ("11.44 SB", "11.44", "SB"),
        ("11.44(pb)", "11.44", "PB"),
        ("1:05.32 =WR", "1:05.32", "WR"),
        ("6.12 (NR)", "6.12", "NR"),
        ("11.44", "11.44", ""),
        ("", "", ""),
    ],
)
def test_a_mark_typed_with_its_annotation_is_split(typed, mark, record):
    assert RecordMark.split(typed) == (mark, record)


def test_a_result_typed_with_its_annotation_keeps_the_mark_and_the_record():
    entry = make_entry()
    entry.event.mark_kind = MarkKind.TIME
    entry.event.save()
    heats = make_round(event=entry.event, kind=RoundKind.HEATS)
    result = Result(entry=entry, round=heats, rank=2, mark="11.44 (SB)", progress=Progress.ADVANCED)
    result.full_clean()
    result.save()
    result.refresh_from_db()
    assert (result.mark, result.record, result.get_record_display()) == ("11.44", "SB", "Season best")


def test_a_mark_and_a_different_record_chosen_are_refused():
    entry = make_entry()
    entry.event.mark_kind = MarkKind.TIME
    entry.event.save()
    result = Result(entry=entry, round=make_round(event=entry.event), rank=4, mark="11.44 (SB)", record="WR")
    with pytest.raises(ValidationError) as refused:
        result.full_clean()
    assert "record" in refused.value.message_dict


def test_every_record_mark_is_accepted_and_nothing_else_by_the_database():
    result = make_result(rank=5)
    for mark in RecordMark.values:
        result.record = mark
        result.full_clean()
        result.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.filter(pk=result.pk).update(record="XX")


def test_how_far_an_athlete_went_is_said_by_the_round():
    entry = make_entry()
    quarterfinal = make_round(event=entry.event, kind=RoundKind.QUARTERFINAL)
    heats = make_round(event=entry.event, kind=RoundKind.HEATS)
    sixteen = make_round(event=entry.event, kind=RoundKind.ROUND_OF_16)
    out = Progress.ELIMINATED
    assert make_result(entry=entry, round=quarterfinal, progress=out).out_phrase() == "Eliminated in the quarterfinal"
    assert make_result(entry=entry, round=heats, progress=out).out_phrase() == "Did not advance from the heats"
    assert make_result(entry=entry, round=sixteen, progress=out).out_phrase() == "Eliminated in the round of 16"
    assert make_result(entry=entry, round=make_round(event=entry.event, kind=RoundKind.SEMIFINAL)).out_phrase() == ""
    unnamed = make_round(event=entry.event, kind=RoundKind.UNSPECIFIED)
    assert make_result(entry=entry, round=unnamed, progress=out).out_phrase() == "Did not advance"


def test_a_medallist_cannot_be_out():
    result = make_result(rank=1, medal="gold")
    result.progress = Progress.ELIMINATED
    with pytest.raises(ValidationError) as refused:
        result.full_clean()
    assert "progress" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.filter(pk=result.pk).update(progress=Progress.ELIMINATED)


def test_rounds_take_their_order_from_their_kind_unless_it_is_set():
    event = make_event()
    final = make_round(event=event, kind=RoundKind.FINAL)
    heats = make_round(event=event, kind=RoundKind.HEATS)
    bronze = make_round(event=event, kind=RoundKind.BRONZE)
    assert list(event.rounds.order_by("order").values_list("kind", flat=True)) == ["heats", "bronze", "final"]
    assert heats.order == KIND_ORDER[RoundKind.HEATS]
    set_by_hand = make_round(event=event, kind=RoundKind.REPECHAGE, order=1)
    assert set_by_hand.order == 1
    assert final.order > bronze.order


def test_every_kind_has_its_place():
    assert set(KIND_ORDER) == set(RoundKind)


def test_a_label_written_for_the_old_kind_does_not_hide_a_new_kind():
    round = make_round(kind=RoundKind.SEMIFINAL, label="Semi-final 2")
    round.kind = RoundKind.FINAL
    with pytest.raises(ValidationError) as refused:
        round.full_clean()
    assert "Semi-final 2" in refused.value.message_dict["label"][0]
    round.label = ""
    round.full_clean()
    round.save()
    assert Round.objects.get(pk=round.pk).name == "Final"


def test_undoing_an_addition_never_deletes_what_was_saved_on_the_record_since(django_user_model):
    from team import history
    from team.models import Change

    editor = django_user_model.objects.create_user("desk", password="long-enough-password")
    result = make_result(rank=4)
    added = history.record_save(result, {}, editor)
    before = history.snapshot(result)
    result.rank = 5
    result.save()
    corrected = history.record_save(result, before, editor, note="Fifth, not fourth.")
    with pytest.raises(ValidationError, match="changed since it was added"):
        history.revert(added, editor)
    assert Result.objects.filter(pk=result.pk).exists()
    history.revert(corrected, editor)
    history.revert(added, editor)
    assert not Result.objects.filter(pk=result.pk).exists()
    assert Change.objects.filter(action=Change.Action.DELETED).count() == 1
