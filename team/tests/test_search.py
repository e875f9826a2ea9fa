"""Finding athletes as people type names: any word order, any mix of spellings, the official results'
"SURNAME Given" form, a class code or a sport on purpose, and nobody for nonsense. Always one query."""

import pytest
from django.urls import reverse

from team.models import Athlete

pytestmark = pytest.mark.usefixtures("article_data")

TEAM = reverse("team:team")


def found(query):
    return sorted(Athlete.objects.named(query).values_list("name", flat=True))


@pytest.mark.parametrize(
    "query",
    [
        "Roman Saleh",
        "Saleh Roman",
        "SALEH Roman",  # as official results print it
        "saleh, roman",
        "Салех Роман",
        "Rom Sal",  # the starts of words, as people type
        "R. Saleh",  # an initial
    ],
)
def test_any_word_order_and_the_official_form_find_the_athlete(query):
    assert found(query) == ["Roman Saleh"], query


@pytest.mark.parametrize(
    "query",
    [
        "Imamaddin Xəlilov",  # the English given name of one spelling, the Azerbaijani surname of another
        "KHALILOV Imamaddin",
        "Xelilov İmaməddin",
        "Халилов Imameddin",
    ],
)
def test_any_mix_of_known_spellings_finds_the_athlete(query):
    assert found(query) == ["Imameddin Khalilov"], query


@pytest.mark.parametrize("query", ["zzzz", "qqqq qqqq", "Saleh zzzz", "X99", "S99", "Roman Zeynalov", "12345", "ñññ"])
def test_nonsense_finds_nobody(query):
    assert found(query) == [], query


def test_a_class_code_finds_that_class_only():
    assert found("S12") == ["Roman Saleh"]
    assert found("s12") == ["Roman Saleh"]
    assert found("T13") == ["Lamiya Valiyeva", "Orkhan Aslanov"]
    assert found("K44 Zeynalov") == ["Sabir Zeynalov"]


def test_a_sport_finds_that_sports_athletes():
    swimmers = ["Konul Suleymanova", "Roman Saleh", "Vali Israfilov"]
    assert found("swimming") == swimmers
    assert found("Para swimming") == swimmers
    assert found("judo") == ["Dursadaf Karimova", "Ilham Zakiyev", "Khatira Ismiyeva"]
    assert found("taekwondo Zeynalov") == ["Sabir Zeynalov"]


def test_a_surname_shared_by_two_finds_both_and_the_given_name_tells_them_apart():
    assert found("Zeynalov") == ["Kamran Zeynalov", "Sabir Zeynalov"]
    assert found("ZEYNALOV Kamran") == ["Kamran Zeynalov"]


@pytest.mark.parametrize("query", ["SALEH Roman", "zzzz", "S12", "Imamaddin Xəlilov", "swimming K44 Saleh Roman"])
def test_a_search_is_one_query(django_assert_max_num_queries, query):
    with django_assert_max_num_queries(1):
        list(Athlete.objects.named(query))


def test_the_team_page_and_the_desk_search_the_same_way(client, admin_client):
    page = client.get(TEAM, {"q": "SALEH Roman"})
    assert [athlete.name for athlete in page.context["page"].object_list] == ["Roman Saleh"]
    nobody = client.get(TEAM, {"q": "zzzz"})
    assert list(nobody.context["page"].object_list) == []
    desk = admin_client.get(reverse("admin:team_athlete_changelist"), {"q": "ZEYNALOV Kamran"})
    assert [athlete.name for athlete in desk.context["cl"].result_list] == ["Kamran Zeynalov"]
