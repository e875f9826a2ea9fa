"""Settings read from the environment."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from paralympics.settings import database_from_url


def test_sqlite_url_names_a_file():
    assert database_from_url("sqlite:////srv/site/db.sqlite3") == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/srv/site/db.sqlite3",
    }


def test_postgres_url_gives_every_part_and_keeps_connections():
    database = database_from_url("postgres://editor:s%40fe@db.internal:5433/games?sslmode=require")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["USER"], database["PASSWORD"]) == ("editor", "s@fe")
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", "5433", "games")
    assert database["OPTIONS"] == {"sslmode": "require"}
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_unknown_database_scheme_is_refused_with_a_message():
    with pytest.raises(ImproperlyConfigured, match="scheme 'mysql' is not supported"):
        database_from_url("mysql://root@localhost/test")


def test_admin_address_comes_from_the_environment(monkeypatch):
    import importlib

    import paralympics.settings

    monkeypatch.setenv("DJANGO_ADMIN_URL", "/desk-7f3a/")
    try:
        assert importlib.reload(paralympics.settings).ADMIN_URL == "desk-7f3a/"
    finally:
        monkeypatch.delenv("DJANGO_ADMIN_URL")
        importlib.reload(paralympics.settings)
