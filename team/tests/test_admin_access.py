"""Least privilege in the editors' admin, checked URL by URL.

Editors (staff in the "Editors" group) run the delegation's data: every team
page opens for them and their saves go through. They cannot touch accounts or
groups, and the history is read-only for everyone, though Editors may revert
from it. Staff outside the group see nothing; anonymous visitors are sent to
the login page.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.test import RequestFactory
from django.urls import reverse

from team.models import Athlete, AthleteName, Change, FormerSlug
from team.permissions import EDITORS, ensure_editors_group
from team.tests.admin_forms import team_admin_models

TEAM_MODELS = team_admin_models()

#: The admins that refuse "add" to everyone: the history only grows through edits, and former web addresses
#: are kept by their athlete's or event's save.
ADMINS_WITHOUT_ADD = {Change, FormerSlug}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def team_pages():
    """(model, view) for every team page an editor uses: changelist, add and change."""
    for model in TEAM_MODELS:
        yield pytest.param(model, "changelist", id=f"{model._meta.label}-changelist")
        if model not in ADMINS_WITHOUT_ADD:
            yield pytest.param(model, "add", id=f"{model._meta.label}-add")
        yield pytest.param(model, "change", id=f"{model._meta.label}-change")


TEAM_PAGES = list(team_pages())


@pytest.fixture
def editors(db):
    return Group.objects.get(name=EDITORS)


@pytest.fixture
def editor(django_user_model, editors):
    user = django_user_model.objects.create_user(username="editor", is_staff=True)
    user.groups.add(editors)
    return user


@pytest.fixture
def staff_outside_the_group(django_user_model):
    return django_user_model.objects.create_user(username="intern", is_staff=True)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="chief", email="chief@example.com")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def page_url(records, model, view):
    if view == "change":
        return admin_url(model, view, records[model].pk)
    return admin_url(model, view)


#: The account pages (users, groups and the permissions set on them), with what each is about.
ACCOUNT_PAGES = [
    ("auth_user_changelist", None),
    ("auth_user_add", None),
    ("auth_user_change", "user"),
    ("auth_user_password_change", "user"),
    ("auth_user_delete", "user"),
    ("auth_group_changelist", None),
    ("auth_group_add", None),
    ("auth_group_change", "group"),
    ("auth_group_delete", "group"),
]


def account_page_url(url_name, about, user, group):
    args = {None: [], "user": [user.pk], "group": [group.pk]}[about]
    return reverse(f"admin:{url_name}", args=args)


def form_post_data(form):
    """What the browser sends for a rendered form left as it is (an empty field is sent as "")."""
    return {bound.html_name: "" if bound.value() is None else bound.value() for bound in form}


def change_form_post_data(response):
    """The POST data of an admin change page saved unchanged: the form, its inlines and their management forms."""
    data = form_post_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_post_data(formset.management_form))
        for form in formset.forms:
            data.update(form_post_data(form))
    return data


# The editor: every team page opens


def test_editor_opens_the_admin_index(editor_client):
    response = editor_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert [app["app_label"] for app in response.context["app_list"]] == ["team"]


def test_editor_opens_the_team_app_index(editor_client):
    response = editor_client.get(reverse("admin:app_list", kwargs={"app_label": "team"}))

    assert response.status_code == 200


@pytest.mark.parametrize(("model", "view"), TEAM_PAGES)
def test_editor_opens_every_team_page(editor_client, records, model, view):
    response = editor_client.get(page_url(records, model, view))

    assert response.status_code == 200


def test_only_the_history_admin_refuses_add(rf, superuser):
    request = rf.get("/")
    request.user = superuser

    refusing = {model for model in TEAM_MODELS if not admin.site._registry[model].has_add_permission(request)}

    assert refusing == ADMINS_WITHOUT_ADD


def test_editor_saves_a_correction_to_an_athlete(editor_client, editor, article_data):
    athlete = Athlete.objects.filter(names__isnull=False, entries__isnull=False, flags__isnull=False).first()
    url = admin_url(Athlete, "change", athlete.pk)
    page = editor_client.get(url)
    data = change_form_post_data(page)
    assert data["seen_version"] == athlete.version

    response = editor_client.post(url, {**data, "name": "Imameddin Xalilov", "correction_note": "Name misspelt."})

    assert response.status_code == 302
    athlete.refresh_from_db()
    assert athlete.name == "Imameddin Xalilov"
    change = Change.objects.for_object(athlete).get()
    assert (change.user, change.correction_note, change.fields["name"][1]) == (
        editor,
        "Name misspelt.",
        "Imameddin Xalilov",
    )


def test_editor_saving_a_published_fact_without_a_correction_note_is_asked_for_one(editor_client, article_data):
    athlete = Athlete.objects.filter(names__isnull=False).first()
    url = admin_url(Athlete, "change", athlete.pk)
    data = change_form_post_data(editor_client.get(url))

    response = editor_client.post(url, {**data, "name": "Imameddin Xalilov"})

    assert response.status_code == 200
    assert "correction_note" in response.context["adminform"].form.errors
    athlete.refresh_from_db()
    assert athlete.name != "Imameddin Xalilov"
    assert not Change.objects.exists()


def test_editor_saves_a_change_in_an_inline(editor_client, article_data):
    spelling = AthleteName.objects.first()
    url = admin_url(Athlete, "change", spelling.athlete_id)
    data = change_form_post_data(editor_client.get(url))
    prefix = next(key for key, value in data.items() if key.endswith("-id") and value == spelling.pk)[: -len("-id")]

    response = editor_client.post(
        url, {**data, f"{prefix}-name": "Imaməddin Xəlilov", f"{prefix}-correction_note": "Azerbaijani letters."}
    )

    assert response.status_code == 302
    spelling.refresh_from_db()
    assert spelling.name == "Imaməddin Xəlilov"
    assert Change.objects.for_object(spelling).get().correction_note == "Azerbaijani letters."


# The editor: no accounts, no groups, no permissions


def test_editor_index_does_not_list_accounts(editor_client):
    response = editor_client.get(reverse("admin:index"))

    assert reverse("admin:auth_user_changelist") not in response.text
    assert reverse("admin:auth_group_changelist") not in response.text


def test_editor_cannot_open_the_accounts_app_index(editor_client):
    response = editor_client.get(reverse("admin:app_list", kwargs={"app_label": "auth"}))

    # Django answers 404 for an app the user has no permission in, so its existence is not revealed.
    assert response.status_code == 404


@pytest.mark.parametrize(("url_name", "about"), ACCOUNT_PAGES, ids=[name for name, _about in ACCOUNT_PAGES])
def test_editor_is_refused_every_account_page(editor_client, editors, django_user_model, url_name, about):
    other = django_user_model.objects.create_user(username="someone-else")
    url = account_page_url(url_name, about, other, editors)

    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {}).status_code == 403


def test_editor_cannot_make_themselves_a_superuser(editor_client, editor):
    url = reverse("admin:auth_user_change", args=[editor.pk])

    response = editor_client.post(
        url, {"username": "editor", "is_active": "on", "is_staff": "on", "is_superuser": "on"}
    )

    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_editor_cannot_change_their_own_password_through_the_user_admin(editor_client, editor):
    url = reverse("admin:auth_user_password_change", args=[editor.pk])

    response = editor_client.post(url, {"password1": "x-new-password-1", "password2": "x-new-password-1"})

    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.has_usable_password()


def test_editor_cannot_add_the_group_to_an_account_or_edit_the_group(editor_client, editors, django_user_model):
    other = django_user_model.objects.create_user(username="someone-else", is_staff=True)
    granted = Permission.objects.get(codename="change_user")

    group_edit = editor_client.post(
        reverse("admin:auth_group_change", args=[editors.pk]), {"name": EDITORS, "permissions": [granted.pk]}
    )
    user_edit = editor_client.post(
        reverse("admin:auth_user_change", args=[other.pk]),
        {"username": "someone-else", "is_staff": "on", "groups": [editors.pk]},
    )

    assert (group_edit.status_code, user_edit.status_code) == (403, 403)
    assert not editors.permissions.filter(pk=granted.pk).exists()
    assert not other.groups.exists()


# The history: read-only for everyone, revertible by Editors


def test_editor_opens_the_history_list(editor_client, records):
    response = editor_client.get(admin_url(Change, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_editor_sees_a_history_entry_read_only(editor_client, records):
    response = editor_client.get(admin_url(Change, "change", records[Change].pk))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert response.context["has_delete_permission"] is False
    assert list(response.context["adminform"].form.fields) == []
    assert 'name="_save"' not in response.text


@pytest.mark.parametrize("user_fixture", ["editor", "superuser"])
def test_nobody_adds_changes_or_deletes_history(client, records, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    change = records[Change]
    change_url = admin_url(Change, "change", change.pk)
    delete_url = admin_url(Change, "delete", change.pk)

    assert client.get(admin_url(Change, "add")).status_code == 403
    assert client.post(admin_url(Change, "add"), {"object_repr": "forged"}).status_code == 403
    assert client.post(change_url, {"correction_note": "rewritten"}).status_code == 403
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    change.refresh_from_db()
    assert change.correction_note == "Reason added."


def test_history_list_offers_revert_but_not_delete(editor_client, records):
    response = editor_client.get(admin_url(Change, "changelist"))

    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "revert_selected" in actions
    assert "delete_selected" not in actions


def test_editor_cannot_delete_history_with_the_bulk_delete_action(editor_client, records):
    change = records[Change]

    response = editor_client.post(
        admin_url(Change, "changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [change.pk], "post": "yes"},
    )

    assert response.status_code == 302  # back to the list: "No action selected."
    assert Change.objects.filter(pk=change.pk).exists()


def test_editor_opens_the_revert_page(editor_client, records):
    response = editor_client.get(reverse("admin:team_change_revert", args=[records[Change].pk]))

    assert response.status_code == 200


def test_editor_reverts_a_change(editor_client, editor, records):
    change = records[Change]
    athlete = Athlete.objects.get(pk=change.object_id)

    response = editor_client.post(reverse("admin:team_change_revert", args=[change.pk]))

    assert response.status_code == 302
    assert response.url == admin_url(Change, "changelist")
    athlete.refresh_from_db()
    assert athlete.status_reason == change.fields["status_reason"][0]
    assert Change.objects.get(reverts=change).user == editor


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_outside_the_group_cannot_revert(client, staff_outside_the_group, records, method):
    change = records[Change]
    client.force_login(staff_outside_the_group)

    response = getattr(client, method)(reverse("admin:team_change_revert", args=[change.pk]))

    assert response.status_code == 403
    assert not Change.objects.filter(reverts=change).exists()


def test_revert_permission_comes_from_the_group(editor, records):
    assert editor.has_perm("team.revert_change")
    request = RequestFactory().get("/")
    request.user = editor
    assert admin.site._registry[Change].has_revert_permission(request)


# Staff outside the group, superusers and anonymous visitors


def test_staff_outside_the_group_sees_an_empty_index(client, staff_outside_the_group):
    client.force_login(staff_outside_the_group)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert response.context["app_list"] == []


def test_staff_outside_the_group_cannot_open_the_team_app_index(client, staff_outside_the_group):
    client.force_login(staff_outside_the_group)

    assert client.get(reverse("admin:app_list", kwargs={"app_label": "team"})).status_code == 404


@pytest.mark.parametrize(("model", "view"), TEAM_PAGES)
def test_staff_outside_the_group_is_refused_every_team_page(client, staff_outside_the_group, records, model, view):
    client.force_login(staff_outside_the_group)

    response = client.get(page_url(records, model, view))

    assert response.status_code == 403


@pytest.mark.parametrize(("model", "view"), TEAM_PAGES)
def test_superuser_opens_every_team_page(client, superuser, records, model, view):
    client.force_login(superuser)

    response = client.get(page_url(records, model, view))

    assert response.status_code == 200


@pytest.mark.parametrize(("url_name", "about"), ACCOUNT_PAGES, ids=[name for name, _about in ACCOUNT_PAGES])
def test_superuser_opens_every_account_page(client, superuser, editor, editors, url_name, about):
    client.force_login(superuser)

    response = client.get(account_page_url(url_name, about, editor, editors))

    assert response.status_code == 200


def test_group_member_who_is_not_staff_is_sent_to_the_login_page(client, editor):
    editor.is_staff = False
    editor.save()
    client.force_login(editor)
    url = reverse("admin:index")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == redirect_to_login(url, reverse("admin:login")).url


@pytest.mark.parametrize(
    "url_name",
    ["admin:index", "admin:team_athlete_changelist", "admin:team_change_changelist", "admin:auth_user_changelist"],
)
def test_anonymous_visitor_is_sent_to_the_login_page(client, db, url_name):
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == redirect_to_login(url, reverse("admin:login")).url


def test_anonymous_visitor_cannot_revert(client, records):
    change = records[Change]
    url = reverse("admin:team_change_revert", args=[change.pk])

    response = client.post(url)

    assert response.status_code == 302
    assert response.url == redirect_to_login(url, reverse("admin:login")).url
    assert not Change.objects.filter(reverts=change).exists()


# The Editors group itself


def test_editors_group_holds_no_permission_outside_the_team_app(editors):
    outside = editors.permissions.exclude(content_type__app_label="team")

    assert list(outside.values_list("content_type__app_label", "codename")) == []


def test_editors_group_may_only_view_and_revert_the_history(editors):
    on_history = set(editors.permissions.filter(content_type__model="change").values_list("codename", flat=True))

    assert on_history == {"view_change", "revert_change"}


def test_editors_group_may_add_change_delete_and_view_all_the_delegation_data(editors):
    granted = set(editors.permissions.values_list("content_type__model", "codename"))

    for model in TEAM_MODELS:
        if model in ADMINS_WITHOUT_ADD:
            continue
        name = model._meta.model_name
        for action in ("add", "change", "delete", "view"):
            assert (name, f"{action}_{name}") in granted


def test_editors_group_may_only_view_former_web_addresses(editors):
    granted = set(editors.permissions.filter(content_type__model="formerslug").values_list("codename", flat=True))

    assert granted == {"view_formerslug"}


def test_ensure_editors_group_is_idempotent(editors):
    before = set(editors.permissions.values_list("pk", flat=True))

    first = ensure_editors_group()
    second = ensure_editors_group()

    assert first.pk == second.pk == editors.pk
    assert Group.objects.filter(name=EDITORS).count() == 1
    assert set(second.permissions.values_list("pk", flat=True)) == before


def test_ensure_editors_group_leaves_what_an_administrator_granted_or_took_away(editors):
    # Once the group exists, its permissions are the administrators' call (migrate: test_admin_robustness.py).
    editors.permissions.add(Permission.objects.get(codename="change_user"))
    editors.permissions.remove(Permission.objects.get(codename="delete_athlete"))

    ensure_editors_group()

    assert editors.permissions.filter(codename="change_user").exists()
    assert not editors.permissions.filter(codename="delete_athlete").exists()
