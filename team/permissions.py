"""The editors' group: least privilege for the people who run the Games desk."""

from django.contrib.auth.models import Group, Permission
from django.db.migrations.operations import CreateModel

EDITORS = "Editors"

#: Editors may read the history and revert from it, never rewrite it.
HISTORY_PERMISSIONS = {"view_change", "revert_change"}

#: Records the data keeps by itself, which editors may look at but not write: the web addresses athletes
#: and events had before a correction (kept by their save, deleted with them).
VIEW_ONLY_MODELS = {"formerslug"}


def editor_permissions():
    """Every permission on the delegation's data (view only on what it keeps by itself), and read/revert on
    its history. Nothing on accounts."""
    team = Permission.objects.filter(content_type__app_label="team")
    return (
        team.exclude(content_type__model__in={"change", *VIEW_ONLY_MODELS})
        | team.filter(codename__in=HISTORY_PERMISSIONS)
        | team.filter(codename__in={f"view_{model}" for model in VIEW_ONLY_MODELS})
    )


def ensure_editors_group(using="default", plan=None):
    """Create the Editors group, or offer it the permissions of the models this `migrate` created.

    Run after every migrate (`team.apps`), with the migration plan it ran.
    A new group (a fresh database) gets every editor permission. An existing
    group is only offered those of models created by this run (their
    `CreateModel` is in the plan): new models. Everything else stays as the
    administrators left it, so a permission a superuser took away is not
    given back, and one they granted is not taken away.

    Django creates a new model's permissions in the same `post_migrate`, for
    the team app, just before this runs (`django.contrib.auth` is installed
    before `team`, so its handler is connected first): they exist when offered.
    """
    group, created = Group.objects.using(using).get_or_create(name=EDITORS)
    offered = editor_permissions().using(using)
    if not created:
        offered = offered.filter(content_type__model__in=models_created(plan or []))
    group.permissions.add(*offered)
    return group


def models_created(plan):
    """The names of the team models whose `CreateModel` a migration plan (as `post_migrate` gets it) runs forwards."""
    return {
        operation.name_lower
        for migration, backwards in plan
        if migration.app_label == "team" and not backwards
        for operation in migration.operations
        if isinstance(operation, CreateModel)
    }
