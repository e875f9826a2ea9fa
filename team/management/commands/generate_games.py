"""Generate a synthetic Paralympic Games the size of a real one, for benchmarks.

About 170 delegations, 4,400 athletes and 549 medal events, each with heats
and a final and a result for every entrant; medals agree with ranks. The same
seed always gives the same Games. It writes only to a database other than the
site's own (`--database bench`, set with BENCH_DATABASE_URL), so it can never
touch the real data.
"""

import datetime
import random
import string

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from team.models import MEDAL_RANK, Athlete, Delegation, Entry, Event, Games, MarkKind, Result, Round, Sport, SportClass
from team.names import search_key

FIRST_NAMES = ["Ali", "Sara", "Jun", "Maria", "Omar", "Lena", "Ivan", "Aiko", "Kwame", "Nora", "Luis", "Mei", "Tariq"]
LAST_NAMES = ["Rahimov", "Silva", "Kim", "Novak", "Haddad", "Berg", "Okafor", "Tanaka", "Moreau", "Costa", "Petrov"]
DISCIPLINES = {
    "para-athletics": ["100 m", "200 m", "400 m", "1500 m", "long jump", "shot put", "discus", "javelin"],
    "para-swimming": ["50 m freestyle", "100 m freestyle", "100 m backstroke", "100 m breaststroke", "200 m medley"],
    "para-taekwondo": ["-58 kg", "-63 kg", "-70 kg", "-80 kg", "+80 kg"],
    "para-judo": ["-60 kg", "-73 kg", "-90 kg", "+90 kg"],
    "para-powerlifting": ["-54 kg", "-65 kg", "-80 kg", "-97 kg", "+107 kg"],
    "shooting-para-sport": ["10 m air pistol", "10 m air rifle", "50 m pistol"],
    "para-archery": ["recurve", "compound"],
}


class Command(BaseCommand):
    help = "Generate a deterministic synthetic Games into a separate database (never the site's own)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="bench", help="Database alias to fill (not 'default').")
        parser.add_argument("--seed", type=int, default=2028)
        parser.add_argument("--delegations", type=int, default=170)
        parser.add_argument("--athletes", type=int, default=4400)
        parser.add_argument("--events", type=int, default=549)

    def handle(self, *args, **options):
        alias = options["database"]
        if alias == "default" or alias not in settings.DATABASES:
            raise CommandError("Choose a separate database alias (e.g. --database bench), never the site's own.")
        if settings.DATABASES[alias]["NAME"] == settings.DATABASES["default"]["NAME"]:
            raise CommandError(f"Database {alias!r} is the site's own database; refusing to write to it.")
        call_command("migrate", database=alias, verbosity=0)
        if Games.objects.using(alias).filter(slug="synthetic-2028").exists():
            self.stdout.write("The synthetic Games are already there.")
            return
        if not Sport.objects.using(alias).exists():
            call_command("loaddata", "reference", database=alias, verbosity=0)
        with transaction.atomic(using=alias):
            counts = self.generate(alias, random.Random(options["seed"]), options)
        connections[alias].close()
        self.stdout.write(
            self.style.SUCCESS(
                "Generated {delegations} delegations, {athletes} athletes, {events} events, "
                "{rounds} rounds, {results} results.".format(**counts)
            )
        )

    def generate(self, alias, rng, options):
        db = Games.objects.using(alias)
        games = db.create(
            slug="synthetic-2028",
            name="Synthetic 2028 Summer Paralympic Games",
            season="summer",
            year=2028,
            host_city="Los Angeles",
            host_country="United States",
            start_date=datetime.date(2028, 8, 15),
            end_date=datetime.date(2028, 8, 27),
            time_zone="America/Los_Angeles",
        )
        sports = list(Sport.objects.using(alias).order_by("slug"))
        classes = {}
        for sport_class in SportClass.objects.using(alias).filter(kind=SportClass.Kind.SPORT_CLASS):
            classes.setdefault(sport_class.sport_id, []).append(sport_class)

        codes = self.npc_codes(rng, options["delegations"])
        delegations = Delegation.objects.using(alias).bulk_create(
            Delegation(games=games, country=f"Country {code}", npc_code=code, home_time_zone="UTC") for code in codes
        )
        # Team sizes fall off steeply, as at a real Games: the biggest near 300, many with one or two.
        weights = [1 / (rank + 3) ** 1.1 for rank in range(len(delegations))]
        scale = options["athletes"] / sum(weights)
        sizes = [max(1, round(weight * scale)) for weight in weights]

        events = []
        for n in range(options["events"]):
            sport = sports[n % len(sports)]
            sport_classes = classes.get(sport.pk, [])
            events.append(
                Event(
                    games=games,
                    slug=f"event-{n:03d}",
                    sport=sport,
                    gender=rng.choice("WMX" if n % 17 == 0 else "WM"),
                    sport_class=rng.choice(sport_classes) if sport_classes else None,
                    discipline=rng.choice(DISCIPLINES.get(sport.slug, ["open"])),
                    mark_kind=MarkKind.OTHER,
                )
            )
        events = Event.objects.using(alias).bulk_create(events)
        by_sport_gender = {}
        for event in events:
            for gender in ("W", "M") if event.gender == "X" else (event.gender,):
                by_sport_gender.setdefault((event.sport_id, gender), []).append(event)

        athletes = []
        for delegation, size in zip(delegations, sizes, strict=True):
            for n in range(size):
                sport = rng.choice(sports)
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {delegation.npc_code}{n}"
                athletes.append(
                    Athlete(
                        delegation=delegation,
                        slug=f"{delegation.npc_code.lower()}-{n}",
                        name=name,
                        gender=rng.choice("WM"),
                        sport=sport,
                        search_key=search_key(name),
                    )
                )
        athletes = Athlete.objects.using(alias).bulk_create(athletes)
        through = Athlete.sport_classes.through
        through.objects.using(alias).bulk_create(
            through(athlete_id=athlete.pk, sportclass_id=rng.choice(classes[athlete.sport_id]).pk)
            for athlete in athletes
            if classes.get(athlete.sport_id)
        )

        entries = []
        for athlete in athletes:
            options_for = by_sport_gender.get((athlete.sport_id, athlete.gender), [])
            for event in rng.sample(options_for, min(len(options_for), rng.choice((1, 1, 2, 3)))):
                entries.append(Entry(event=event, athlete=athlete))
        entries = Entry.objects.using(alias).bulk_create(entries)
        entrants = {}
        for entry in entries:
            entrants.setdefault(entry.event_id, []).append(entry)

        rounds, results = [], []
        days = (games.end_date - games.start_date).days
        morning, evening = datetime.time(10, 0), datetime.time(19, 30)
        medal_for_rank = {rank: medal for medal, rank in MEDAL_RANK.items()}
        for event in events:
            day = games.start_date + datetime.timedelta(days=rng.randrange(days))
            heats = Round(event=event, kind=Round.Kind.HEATS, order=1, scheduled_date=day, scheduled_time=morning)
            final = Round(event=event, kind=Round.Kind.FINAL, order=2, scheduled_date=day, scheduled_time=evening)
            rounds += [heats, final]
        rounds = Round.objects.using(alias).bulk_create(rounds)
        for heats, final in zip(rounds[::2], rounds[1::2], strict=True):
            field = entrants.get(heats.event_id, [])
            order = rng.sample(field, len(field))
            for rank, entry in enumerate(order, 1):
                results.append(Result(entry=entry, round=heats, rank=rank, settled=Result.Settled.OFFICIAL))
            for rank, entry in enumerate(order[:8], 1):
                medal = medal_for_rank.get(rank, "")
                results.append(
                    Result(entry=entry, round=final, rank=rank, medal=medal, settled=Result.Settled.OFFICIAL)
                )
        Result.objects.using(alias).bulk_create(results, batch_size=2000)
        return {
            "delegations": len(delegations),
            "athletes": len(athletes),
            "events": len(events),
            "rounds": len(rounds),
            "results": len(results),
        }

    @staticmethod
    def npc_codes(rng, count):
        codes = set()
        while len(codes) < count:
            codes.add("".join(rng.choice(string.ascii_uppercase) for _ in range(3)))
        ordered = sorted(codes)  # a set's order changes between runs; the shuffle must not
        rng.shuffle(ordered)
        return ordered
