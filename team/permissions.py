"""The editors' group: least privilege for the people who run the Games desk."""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"

#: Editors may read the history and revert from it, never rewrite it.
HISTORY_PERMISSIONS = {"view_change", "revert_change"}


def editor_permissions():
    """Every permission on the delegation's data, and read/revert on its history. Nothing on accounts."""
    team = Permission.objects.filter(content_type__app_label="team")
    return team.exclude(content_type__model="change") | team.filter(codename__in=HISTORY_PERMISSIONS)


def ensure_editors_group(using="default"):
    """Create the group, or bring its permissions up to date (run after every migrate)."""
    group, _created = Group.objects.using(using).get_or_create(name=EDITORS)
    group.permissions.set(editor_permissions().using(using))
    return group
