"""Load a backup made by `manage.py backup` into the empty database `migrate` has just prepared.

`migrate` creates the Editors group; the backup carries that group too, with
the permissions an administrator gave it, perhaps under another id. The
group `migrate` made (it has no members yet) is set aside, so the backup's
own comes back exactly as it was instead of clashing on the name.
"""

import json

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from team.models import Delegation


class Command(BaseCommand):
    help = "Restore a backup (manage.py backup) into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A backup-….json written by manage.py backup.")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            with open(path, encoding="utf-8") as backup:
                records = json.load(backup)
        except (OSError, ValueError) as error:
            raise CommandError(f"{path} cannot be read as a backup: {error}") from error
        groups = {record["fields"]["name"] for record in records if record.get("model") == "auth.group"}
        with transaction.atomic():
            if Delegation.objects.exists():
                raise CommandError("This database already holds data: restore only into an empty one.")
            Group.objects.filter(name__in=groups, user__isnull=True).delete()
            call_command("loaddata", path, verbosity=options["verbosity"])
