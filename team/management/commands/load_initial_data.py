"""Load the fixtures into an empty database, validating every object first.

Safe to run on every start (`make run` does): once the database holds data it
changes nothing, so editors' corrections are never overwritten. A malformed
fixture stops the load with a message naming the file, the object and the
field, and the database is left exactly as it was.
"""

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, transaction

from team.models import Games, Source, Sport


def describe(obj, position):
    """A name for a fixture object that an editor can find in the file."""
    label = obj._meta.label_lower
    for field in ("slug", "code", "name"):
        value = getattr(obj, field, None)
        if value:
            return f"{label} #{position} ({field}={value!r})"
    return f"{label} #{position}"


def format_errors(error):
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{'(whole object)' if field == '__all__' else field}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Load the fixtures into an empty database. Does nothing if it already holds data."

    def add_arguments(self, parser):
        parser.add_argument(
            "fixtures",
            nargs="*",
            help="Fixture files or names in fixtures/ (default: settings.INITIAL_FIXTURES).",
        )

    def handle(self, *args, **options):
        labels = options["fixtures"] or settings.INITIAL_FIXTURES
        verbose = options["verbosity"] > 0
        if Games.objects.exists() or Sport.objects.exists() or Source.objects.exists():
            if verbose:
                self.stdout.write("The database already holds data: nothing loaded, editors' changes are kept.")
            return
        paths = [self.find(label) for label in labels]
        loaded = 0
        with transaction.atomic():
            for path in paths:
                loaded += self.load(path)
        if verbose:
            self.stdout.write(self.style.SUCCESS(f"Loaded {loaded} objects from {len(paths)} fixture(s)."))

    def find(self, label):
        for directory in settings.FIXTURE_DIRS:
            for candidate in (directory / label, directory / f"{label}.json"):
                if candidate.is_file():
                    return candidate
        raise CommandError(f"No fixture named {label!r} in {', '.join(map(str, settings.FIXTURE_DIRS))}.")

    def load(self, path):
        position = 0
        try:
            with path.open(encoding="utf-8") as stream:
                for position, deserialized in enumerate(serializers.deserialize("json", stream), 1):
                    obj = deserialized.object
                    try:
                        obj.full_clean()
                        # A normal save (not loaddata's raw one) so derived fields such as search keys are filled.
                        obj.save()
                        for name, values in deserialized.m2m_data.items():
                            getattr(obj, name).set(values)
                    except ValidationError as error:
                        raise CommandError(
                            f"{path.name}: {describe(obj, position)} is invalid: {format_errors(error)}. "
                            "Nothing was loaded."
                        ) from error
                    except DatabaseError as error:
                        raise CommandError(
                            f"{path.name}: {describe(obj, position)} was refused by the database: {error}. "
                            "Nothing was loaded."
                        ) from error
        except DeserializationError as error:
            raise CommandError(
                f"{path.name}: cannot read the object after #{position}: {error}. Nothing was loaded."
            ) from error
        return position
