"""A backup restores into an empty database with the same data: corrections, history and accounts included."""

import io
import os
import stat

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command

from team import history
from team.models import Athlete, Change, Entry, Result, ReviewFlag, Round
from team.permissions import EDITORS
from team.tests.factories import make_result


def snapshot_of_everything():
    return {
        "athletes": sorted(Athlete.objects.values_list("pk", "slug", "name", "status", "search_key", "version")),
        "classes": sorted(Athlete.sport_classes.through.objects.values_list("athlete_id", "sportclass_id")),
        "results": sorted(Result.objects.values_list("pk", "entry_id", "round_id", "rank", "medal", "settled")),
        "changes": sorted(
            Change.objects.values_list(
                "pk", "object_id", "action", "fields", "correction_note", "summary", "user__username"
            )
        ),
        "flags": sorted(ReviewFlag.objects.values_list("slug", "resolution", "resolved_by__username")),
        "users": sorted(User.objects.values_list("username", "password", "is_staff")),
        "editors": sorted(Group.objects.get(name=EDITORS).user_set.values_list("username", flat=True)),
    }


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(article_data, tmp_path):
    editor = User.objects.create_user("farid", password="long-enough-password", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    athlete = Athlete.objects.get(slug="roman-saleh")
    before = history.snapshot(athlete)
    athlete.name = "Roman Salekh"
    athlete.save()
    history.record_save(athlete, before, editor, note="Spelling corrected.")
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    make_result(entry=Entry.objects.get(athlete__slug="abulfaz-abuzarli"), round=final, rank=1, medal="gold")
    flag = ReviewFlag.objects.get(slug="athlete-khalilov-spelling")
    flag.resolution, flag.resolved_by = "Checked with the federation.", editor
    flag.resolved_at = final.updated_at
    flag.save()
    expected = snapshot_of_everything()
    out = io.StringIO()
    call_command("backup", dir=str(tmp_path / "backups"), stdout=out)
    backup = out.getvalue().strip()

    call_command("flush", interactive=False, verbosity=0)
    assert not Athlete.objects.exists()
    assert not Change.objects.exists()
    call_command("restore", backup, verbosity=0)

    assert snapshot_of_everything() == expected
    assert Change.objects.corrections().get().correction_note == "Spelling corrected."
    assert Athlete.objects.named("Salekh").get().slug == "roman-saleh"


@pytest.mark.django_db
def test_a_backup_is_readable_by_its_owner_only(article_data, tmp_path):
    out = io.StringIO()
    call_command("backup", dir=str(tmp_path / "backups"), stdout=out)
    path = out.getvalue().strip()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "backups").st_mode) == 0o700
    with open(path, encoding="utf-8") as backup:
        assert '"model": "team.athlete"' in backup.read()


@pytest.mark.django_db
def test_restore_refuses_a_database_that_holds_data(article_data, tmp_path):
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("backup", dir=str(tmp_path / "backups"), stdout=out)
    with pytest.raises(CommandError, match="restore only into an empty one"):
        call_command("restore", out.getvalue().strip(), verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_restore_brings_back_an_editors_group_whose_id_changed(article_data, tmp_path):
    """An administrator once deleted and recreated the group: its id is no longer the one migrate gives."""
    group = Group.objects.get(name=EDITORS)
    permissions = list(group.permissions.values_list("codename", flat=True))
    group.delete()
    again = Group.objects.create(name=EDITORS)
    again.permissions.set(Permission.objects.filter(codename__in=permissions[:3]))
    out = io.StringIO()
    call_command("backup", dir=str(tmp_path / "backups"), stdout=out)
    call_command("flush", interactive=False, verbosity=0)  # as after migrate: a fresh Editors group
    assert Group.objects.get(name=EDITORS).pk != again.pk

    call_command("restore", out.getvalue().strip(), verbosity=0)
    restored = Group.objects.get(name=EDITORS)
    assert restored.pk == again.pk
    assert sorted(restored.permissions.values_list("codename", flat=True)) == sorted(permissions[:3])
