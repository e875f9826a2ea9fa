"""Write a backup of everything editors made, readable by its owner only.

The file holds accounts with their password hashes, so it is created with
mode 0600 in a directory of mode 0700, never readable by other users of the
machine even for a moment. Restore with `make restore FILE=…` (`loaddata`)
into an empty database.
"""

import os
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

#: Rebuilt by `migrate` or kept per session: not worth backing up, and in the way of a restore.
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


class Command(BaseCommand):
    help = "Write every editor-made record, corrections, history and accounts included, to a dated JSON file."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default="backups", help="Where to write the file (created mode 0700).")

    def handle(self, *args, **options):
        directory = Path(options["dir"])
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = directory / f"backup-{timezone.now():%Y%m%dT%H%M%S%fZ}.json"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            call_command("dumpdata", natural_foreign=True, exclude=EXCLUDE, indent=1, stdout=out)
        self.stdout.write(str(path))
