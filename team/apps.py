from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate, pre_migrate


def before_migrate(sender, using, **kwargs):
    from django.db import connections

    from team import triggers

    triggers.uninstall(connections[using])


def after_migrate(sender, using, **kwargs):
    from django.db import connections

    from team import permissions, triggers

    triggers.install(connections[using])
    permissions.ensure_editors_group(using, plan=kwargs.get("plan"))


class TeamConfig(AppConfig):
    name = "team"
    verbose_name = "Delegation"

    def ready(self):
        # Cross-table triggers are dropped while migrations alter tables, then put back.
        pre_migrate.connect(before_migrate, sender=self)
        post_migrate.connect(after_migrate, sender=self)


class NewsroomAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by the newsroom's own site class."""

    default = False  # TeamConfig stays this module's config for the "team" app.
    default_site = "team.sites.NewsroomAdminSite"
