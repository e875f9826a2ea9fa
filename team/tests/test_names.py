"""Readers and editors find an athlete by any spelling of the name: English, Azerbaijani Latin, or Cyrillic."""

import itertools
import unicodedata

import pytest

from team.names import search_key


def finds(query: str, name: str) -> bool:
    """The search the site runs: the query's key is a substring of the name's key."""
    return search_key(query) in search_key(name)


# Every spelling of each example athlete: English transliterations, Azerbaijani Latin, Azerbaijani Latin typed
# without its special letters, Russian Cyrillic, Azerbaijani Cyrillic.
SPELLINGS = {
    "Imameddin Khalilov": [
        "Imameddin Khalilov",
        "Imamaddin Khalilov",
        "İmaməddin Xəlilov",
        "Imameddin Xelilov",
        "Имамеддин Халилов",
        "Имамәддин Хәлилов",
    ],
    "Jeyhun Mahmudov": [
        "Jeyhun Mahmudov",
        "Ceyhun Mahmudov",
        "Dzheykhun Makhmudov",
        "Джейхун Махмудов",
        "Ҹејһун Маһмудов",
    ],
    "Konul Suleymanova": [
        "Konul Suleymanova",
        "Könül Süleymanova",
        "Kyonul Suleymanova",
        "Кёнуль Сулейманова",
        "Көнүл Сүлејманова",
    ],
    "Lamiya Valiyeva": [
        "Lamiya Valiyeva",
        "Lamiya Valieva",
        "Ləmiyə Vəliyeva",
        "Lemiye Veliyeva",
        "Ламия Велиева",
        "Ләмијә Вәлијева",
    ],
    "Aybeniz Babayeva": [
        "Aybeniz Babayeva",
        "Aybəniz Babayeva",
        "Aybeniz Babaeva",
        "Айбениз Бабаева",
        "Ајбәниз Бабајева",
    ],
}

SPELLING_PAIRS = [
    pytest.param(query, name, id=f"{query} -> {name}")
    for spellings in SPELLINGS.values()
    for query, name in itertools.permutations(spellings, 2)
]

# Parts of a name a reader types alone, with the full stored name (in any script) they must find.
PARTIAL_QUERIES = [
    ("Khalilov", "İmaməddin Xəlilov"),
    ("Xəlilov", "Imameddin Khalilov"),
    ("Xelilov", "Imamaddin Khalilov"),
    ("Халилов", "Imameddin Khalilov"),
    ("Khalilov", "Имамеддин Халилов"),
    ("Imamaddin", "Imameddin Khalilov"),
    ("İmaməddin", "Imameddin Khalilov"),
    ("Имамеддин", "Imamaddin Khalilov"),
    ("Jeyhun", "Ceyhun Mahmudov"),
    ("Ceyhun", "Jeyhun Mahmudov"),
    ("Джейхун", "Jeyhun Mahmudov"),
    ("Mahmudov", "Джейхун Махмудов"),
    ("Махмудов", "Jeyhun Mahmudov"),
    ("Konul", "Könül Süleymanova"),
    ("Könül", "Konul Suleymanova"),
    ("Кёнуль", "Konul Suleymanova"),
    ("Suleymanova", "Кёнуль Сулейманова"),
    ("Süleymanova", "Konul Suleymanova"),
    ("Сулейманова", "Könül Süleymanova"),
    ("Lamiya", "Ləmiyə Vəliyeva"),
    ("Ləmiyə", "Lamiya Valiyeva"),
    ("Ламия", "Lamiya Valiyeva"),
    ("Valiyeva", "Ламия Велиева"),
    ("Vəliyeva", "Lamiya Valiyeva"),
    ("Велиева", "Lamiya Valiyeva"),
    ("Valieva", "Ləmiyə Vəliyeva"),
    ("Aybeniz", "Aybəniz Babayeva"),
    ("Aybəniz", "Aybeniz Babayeva"),
    ("Айбениз", "Aybeniz Babayeva"),
    ("Babayeva", "Айбениз Бабаева"),
    ("Бабаева", "Aybeniz Babayeva"),
    # The beginning of a name, as a reader types it into a search box.
    ("Suleym", "Konul Suleymanova"),
    ("Süley", "Konul Suleymanova"),
    ("Mahm", "Ceyhun Mahmudov"),
    ("Xəl", "Imameddin Khalilov"),
]

# Queries that must NOT find the name: different athletes on the roster must not collide.
NON_MATCHES = [
    ("Zeynalov", "Jeyhun Mahmudov"),
    ("Zeynalov", "Ceyhun Mahmudov"),
    ("Sabir", "Said Najafzadeh"),
    ("Said", "Sabir Zeynalov"),
    ("Kamran", "Roman Saleh"),
    ("Roman", "Kamran Zeynalov"),
    ("Musayev", "Jeyhun Mahmudov"),
    ("Mahmudov", "Olokhan Musayev"),
    ("Мусаев", "Джейхун Махмудов"),
    ("Valiyeva", "Vali Israfilov"),
    ("Lamiya Valiyeva", "Vali Israfilov"),
    ("Vəli İsrafilov", "Lamiya Valiyeva"),
    ("Sabir Zeynalov", "Kamran Zeynalov"),
    ("Olokhan", "Orkhan Aslanov"),
    ("Orxan", "Olokhan Musayev"),
    ("Ilham", "Imameddin Khalilov"),
    ("Karimova", "Khatira Ismiyeva"),
    ("Khatira", "Dursadaf Karimova"),
    ("Zakiyev", "Rufat Rafiyev"),
    ("Rafiyev", "Ilham Zakiyev"),
    ("Fataliyeva", "Lamiya Valiyeva"),
    ("Ismiyeva", "Lamiya Valiyeva"),
    ("Babayeva", "Royala Fataliyeva"),
]

# The delegation in fixtures/paris-2024-aze.json, one spelling per athlete.
ROSTER = [
    "Abulfaz Abuzarli",
    "Aybeniz Babayeva",
    "Dursadaf Karimova",
    "Ilham Zakiyev",
    "Imameddin Khalilov",
    "Jeyhun Mahmudov",
    "Kamran Zeynalov",
    "Khatira Ismiyeva",
    "Konul Suleymanova",
    "Lamiya Valiyeva",
    "Olokhan Musayev",
    "Orkhan Aslanov",
    "Roman Saleh",
    "Royala Fataliyeva",
    "Rufat Rafiyev",
    "Sabir Zeynalov",
    "Said Najafzadeh",
    "Vali Israfilov",
]


@pytest.mark.parametrize(("query", "name"), SPELLING_PAIRS)
def test_every_spelling_of_a_name_finds_every_other_spelling(query, name):
    assert finds(query, name)


@pytest.mark.parametrize("spellings", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_spelling_of_a_name_gives_the_same_key(spellings):
    assert len({search_key(spelling) for spelling in spellings}) == 1


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("İmaməddin Xəlilov", "Imameddin Khalilov"),
        ("Ceyhun Mahmudov", "Jeyhun Mahmudov"),
        ("Könül Süleymanova", "Konul Suleymanova"),
        ("Ləmiyə Vəliyeva", "Lamiya Valiyeva"),
        ("Aybəniz Babayeva", "Aybeniz Babayeva"),
    ],
)
def test_azerbaijani_spelling_finds_the_english_transliteration(query, name):
    assert finds(query, name)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Imameddin Khalilov", "İmaməddin Xəlilov"),
        ("Jeyhun Mahmudov", "Ceyhun Mahmudov"),
        ("Konul Suleymanova", "Könül Süleymanova"),
        ("Lamiya Valiyeva", "Ləmiyə Vəliyeva"),
        ("Aybeniz Babayeva", "Aybəniz Babayeva"),
    ],
)
def test_english_transliteration_finds_the_azerbaijani_spelling(query, name):
    assert finds(query, name)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Xelilov", "İmaməddin Xəlilov"),
        ("Imameddin Xelilov", "İmaməddin Xəlilov"),
        ("Konul Suleymanova", "Könül Süleymanova"),
        ("Lemiye Veliyeva", "Ləmiyə Vəliyeva"),
        ("Aybeniz", "Aybəniz Babayeva"),
        ("Xelilov", "Imameddin Khalilov"),
    ],
)
def test_azerbaijani_spelling_typed_without_its_special_letters_finds_the_name(query, name):
    assert finds(query, name)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Имамеддин Халилов", "Imameddin Khalilov"),
        ("Джейхун Махмудов", "Jeyhun Mahmudov"),
        ("Кёнуль Сулейманова", "Konul Suleymanova"),
        ("Ламия Велиева", "Lamiya Valiyeva"),
        ("Айбениз Бабаева", "Aybeniz Babayeva"),
        ("Джейхун Махмудов", "Ceyhun Mahmudov"),
        ("Кёнуль Сулейманова", "Könül Süleymanova"),
        ("Ламия Велиева", "Ləmiyə Vəliyeva"),
    ],
)
def test_russian_cyrillic_query_finds_the_latin_name(query, name):
    assert finds(query, name)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Хәлилов", "Imameddin Khalilov"),
        ("Ҹејһун", "Jeyhun Mahmudov"),
        ("Маһмудов", "Джейхун Махмудов"),
        ("Көнүл Сүлејманова", "Könül Süleymanova"),
        ("Ләмијә Вәлијева", "Lamiya Valiyeva"),
        ("Ајбәниз Бабајева", "Айбениз Бабаева"),
    ],
)
def test_azerbaijani_cyrillic_query_finds_the_name(query, name):
    assert finds(query, name)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Khalilov", "Имамеддин Халилов"),
        ("Jeyhun Mahmudov", "Джейхун Махмудов"),
        ("Könül", "Кёнуль Сулейманова"),
        ("Valiyeva", "Ламия Велиева"),
        ("Babayeva", "Айбениз Бабаева"),
    ],
)
def test_latin_query_finds_the_cyrillic_name(query, name):
    assert finds(query, name)


@pytest.mark.parametrize(("query", "name"), PARTIAL_QUERIES)
def test_a_first_name_or_surname_alone_finds_the_athlete(query, name):
    assert finds(query, name)


@pytest.mark.parametrize("spelling", ["Imamaddin", "Imameddin", "İmaməddin", "Имамеддин", "IMAMADDIN"])
def test_imamaddin_and_imameddin_are_the_same_name(spelling):
    assert search_key(spelling) == search_key("Imameddin")
    assert finds(spelling, "Imamaddin Khalilov")
    assert finds(spelling, "Imameddin Khalilov")


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("KONUL SULEYMANOVA", "Konul Suleymanova"),
        ("konul suleymanova", "Könül Süleymanova"),
        ("KÖNÜL SÜLEYMANOVA", "Konul Suleymanova"),
        ("İMAMƏDDİN XƏLİLOV", "Imameddin Khalilov"),
        ("imaməddin xəlilov", "IMAMEDDIN KHALILOV"),
        ("КЁНУЛЬ", "Konul Suleymanova"),
        ("lAmIyA vAlIyEvA", "Ləmiyə Vəliyeva"),
        ("Konül Suleymanóva", "Konul Suleymanova"),
    ],
)
def test_case_and_accents_do_not_matter(query, name):
    assert finds(query, name)


@pytest.mark.parametrize("text", ["İmaməddin", "Könül Süleymanova", "Ləmiyə Vəliyeva", "Кёнуль", "Ҹејһун"])
def test_decomposed_unicode_gives_the_same_key_as_composed(text):
    assert search_key(unicodedata.normalize("NFD", text)) == search_key(text)


def test_dotted_capital_i_lowercases_to_a_plain_i():
    assert search_key("İ") == search_key("I") == search_key("i") == search_key("ı") == "i"


@pytest.mark.parametrize("spelling", ["Mammadov", "Mamedov", "Məmmədov", "Mammedov", "Мамедов", "Маммадов", "Мәммәдов"])
def test_doubled_letters_and_vowel_variants_collapse(spelling):
    assert search_key(spelling) == search_key("Mammadov")


@pytest.mark.parametrize(("query", "name"), NON_MATCHES)
def test_different_athletes_do_not_match(query, name):
    assert not finds(query, name)


@pytest.mark.parametrize(
    ("athlete", "other"),
    [pytest.param(a, b, id=f"{a} vs {b}") for a, b in itertools.permutations(ROSTER, 2)],
)
def test_no_athlete_on_the_roster_finds_another_by_full_name_or_surname(athlete, other):
    surname = athlete.split()[-1]
    assert not finds(athlete, other)
    if surname != other.split()[-1]:
        assert not finds(surname, other)


@pytest.mark.parametrize(
    ("spelling", "other"),
    [
        ("Chingiz", "Jingiz"),  # English ch is ç, not the j that Azerbaijani c stands for
        ("Çingiz", "Cingiz"),
        ("Чингиз", "Джингиз"),
        ("Shahin", "Sahin"),  # sh is ş, not s
        ("Şahin", "Sahin"),
        ("Шахин", "Сахин"),
        ("Sabir", "Said"),
    ],
)
def test_distinct_sounds_keep_distinct_keys(spelling, other):
    # Compared case-insensitively, as a database LIKE would.
    assert search_key(spelling).lower() != search_key(other).lower()


@pytest.mark.parametrize(("spelling", "other"), [("Chingiz", "Çingiz"), ("Chingiz", "Чингиз"), ("Shahin", "Şahin")])
def test_english_digraphs_match_the_azerbaijani_letters(spelling, other):
    assert search_key(spelling) == search_key(other)


@pytest.mark.parametrize("spelling", ["Said Nəcəfzadə", "Said Najafzade", "Səid Nəcəfzadə", "Саид Наджафзаде"])
def test_zadeh_suffix_matches_zade(spelling):
    assert search_key(spelling) == search_key("Said Najafzadeh")


@pytest.mark.parametrize("query", ["", " ", "   ", "\t\n", ".", "...", "?!", "—", "-", "'", "(), ;"])
def test_empty_or_punctuation_only_query_gives_an_empty_key(query):
    assert search_key(query) == ""


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("  Konul   Suleymanova ", "Konul Suleymanova"),
        ("Konul\tSuleymanova", "Konul Suleymanova"),
        ("Konul Suleymanova.", "Konul Suleymanova"),
        ("Suleymanova, Konul", "Suleymanova Konul"),
        ("Najafzadeh", "Najaf-zadeh"),
        ("O'Brien", "OBrien"),
    ],
)
def test_spacing_and_punctuation_do_not_change_the_key(query, name):
    assert search_key(query) == search_key(name)


@pytest.mark.parametrize("name", [*ROSTER, *itertools.chain.from_iterable(SPELLINGS.values())])
def test_key_is_deterministic_with_single_spaces_between_words(name):
    key = search_key(name)
    assert key == search_key(name)
    assert key == key.strip()
    assert "  " not in key
    assert len(key.split()) == len(name.split())


@pytest.mark.parametrize("name", [*ROSTER, "Şahin Çingiz", "Шахин Чингиз", "Sahin Cingiz", "Ҹејһун Маһмудов"])
def test_key_is_lower_case_ascii_so_a_case_insensitive_database_match_is_safe(name):
    key = search_key(name)
    assert key.isascii()
    assert key == key.lower()
    assert set(key) <= set("abcdefghijklmnopqrstuvwxyz ")
