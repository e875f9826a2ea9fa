from django.db import migrations

from team.names import search_key


def fill(apps, schema_editor):
    alias = schema_editor.connection.alias
    for model_name in ("Athlete", "AthleteName"):
        model = apps.get_model("team", model_name)
        for row in model.objects.using(alias).only("pk", "name"):
            model.objects.using(alias).filter(pk=row.pk).update(search_key=search_key(row.name))


class Migration(migrations.Migration):
    dependencies = [("team", "0002_editing_history_search_keys_mark_formats")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
