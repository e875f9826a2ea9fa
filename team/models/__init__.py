"""The delegation's data: Games → delegation → athletes → events → rounds → results.

Nothing here is specific to Azerbaijan or to Paris: another country or the next
Games needs new fixtures, not new code. Every fact loaded from a news source
keeps the sentence that states it (`Sourced`), and anything in the source that
an editor must check carries a `ReviewFlag`.

The models live in one module per concern and are all importable from here:

* `review`: the editing bookkeeping (`Edited`), sources and provenance
  (`Source`, `Sourced`) and the editors' review flags;
* `reference`: sports and the classification codes explained for readers;
* `games`: the Games, their headline facts, the delegation and its medals at
  earlier Games;
* `people`: athletes, their other spellings, flagbearers;
* `photos`: athletes' photos and the stored bytes of each picture;
* `competition`: events, entries, rounds and results;
* `addresses`: the slugs athletes and events had before a correction, still answered;
* `history`: the record of every change editors make.

Rules that span tables are held by database triggers (`team/triggers.py`,
installed after every `migrate` by `team/apps.py`); each model they guard says so.
"""

from team.models.addresses import FormerSlug
from team.models.competition import (
    ATHLETE_GENDER_NOUN,
    EVENT_GENDER_ADJECTIVE,
    KIND_ORDER,
    MARK_FORMATS,
    MEDAL_RANK,
    STATUS_PHRASE,
    Entry,
    Event,
    EventGender,
    MarkKind,
    Medal,
    Progress,
    RecordMark,
    Result,
    Round,
    RoundKind,
)
from team.models.games import (
    Delegation,
    Games,
    GamesFact,
    MedalRecord,
    Standing,
    featured_lookup,
    validate_time_zone,
)
from team.models.history import Change, Publication
from team.models.people import Athlete, AthleteName, Flagbearer, Gender
from team.models.photos import AthletePhoto, PhotoOriginal
from team.models.reference import Sport, SportClass
from team.models.review import FLAG_TARGETS, Edited, ExplainsConstraints, ReviewFlag, Source, Sourced

__all__ = [
    "ATHLETE_GENDER_NOUN",
    "EVENT_GENDER_ADJECTIVE",
    "FLAG_TARGETS",
    "KIND_ORDER",
    "MARK_FORMATS",
    "MEDAL_RANK",
    "STATUS_PHRASE",
    "Athlete",
    "AthleteName",
    "AthletePhoto",
    "Change",
    "Delegation",
    "Edited",
    "Entry",
    "Event",
    "EventGender",
    "ExplainsConstraints",
    "Flagbearer",
    "FormerSlug",
    "Games",
    "GamesFact",
    "Gender",
    "MarkKind",
    "Medal",
    "MedalRecord",
    "PhotoOriginal",
    "Progress",
    "Publication",
    "RecordMark",
    "Result",
    "ReviewFlag",
    "Round",
    "RoundKind",
    "Source",
    "Sourced",
    "Sport",
    "SportClass",
    "Standing",
    "featured_lookup",
    "validate_time_zone",
]
