"""The benchmark's synthetic Games: deterministic, consistent, and never in the site's own database."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError


def generate(tmp_path, name, seed=7):
    site, bench = tmp_path / "site.sqlite3", tmp_path / name
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDIS_URL"))}
    env |= {"DATABASE_URL": f"sqlite:///{site}", "BENCH_DATABASE_URL": f"sqlite:///{bench}"}
    command = [sys.executable, "manage.py", "generate_games", "--seed", str(seed)]
    command += ["--delegations", "6", "--athletes", "80", "--events", "21"]
    result = subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return site, bench, result.stdout


def rows(database, sql):
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute(sql).fetchall()


def test_the_same_seed_gives_the_same_games(tmp_path):
    _site, first, output = generate(tmp_path, "first.sqlite3")
    _site, second, _output = generate(tmp_path, "second.sqlite3")
    assert "Generated 6 delegations" in output
    query = (
        "SELECT a.name, e.slug, r.kind, x.rank, x.medal FROM team_result x JOIN team_entry n ON n.id = x.entry_id "
        "JOIN team_athlete a ON a.id = n.athlete_id JOIN team_event e ON e.id = n.event_id "
        "JOIN team_round r ON r.id = x.round_id ORDER BY 1, 2, 3"
    )
    assert rows(first, query) == rows(second, query)
    assert len(rows(first, "SELECT id FROM team_event")) == 21


def test_medals_agree_with_ranks_and_only_in_finals(tmp_path):
    _site, bench, _output = generate(tmp_path, "games.sqlite3")
    medals = rows(
        bench,
        "SELECT x.medal, x.rank, r.kind FROM team_result x JOIN team_round r ON r.id = x.round_id WHERE medal != ''",
    )
    assert medals
    assert {(medal, rank, kind) for medal, rank, kind in medals} <= {
        ("gold", 1, "final"),
        ("silver", 2, "final"),
        ("bronze", 3, "final"),
    }


def test_the_sites_own_database_is_left_empty(tmp_path):
    site, _bench, _output = generate(tmp_path, "games.sqlite3")
    assert not site.exists() or not rows(site, "SELECT name FROM sqlite_master WHERE name = 'team_athlete'")


@pytest.mark.django_db
def test_it_refuses_the_sites_own_database():
    with pytest.raises(CommandError, match="never the site's own"):
        call_command("generate_games", database="default")
