import pytest


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def article_data(db):
    """The article's delegation, loaded the way `make run` loads it."""
    from django.core.management import call_command

    call_command("load_initial_data", verbosity=0)
