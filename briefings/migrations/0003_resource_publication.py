"""Stand-alone resources get a publication status, published by the Publisher group.

Every stand-alone resource was public until now, so each one (and each version of it in the
history) starts out published: nothing the public sees today disappears.
"""

from django.db import migrations, models

STATUS = models.CharField(
    choices=[("draft", "Draft"), ("published", "Published")],
    default="draft",
    help_text="For a resource on its own. A resource of a briefing is public when its briefing is.",
    max_length=16,
)


def publish_existing_and_grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for model_name in ("Resource", "HistoricalResource"):
        apps.get_model("briefings", model_name).objects.filter(briefing__isnull=True).update(status="published")

    # Permissions are normally made after migrate; make this one now so the group can hold it.
    app_config = apps.get_app_config("briefings")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    publish = Permission.objects.filter(content_type__app_label="briefings", codename="publish_resource")
    for group in apps.get_model("auth", "Group").objects.filter(name="Publisher"):
        group.permissions.add(*publish)


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0002_initial"),
        ("portal", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="resource",
            options={
                "ordering": ["position", "pk"],
                "permissions": [("publish_resource", "Can publish and unpublish stand-alone resources")],
            },
        ),
        migrations.AddField(model_name="historicalresource", name="status", field=STATUS),
        migrations.AddField(model_name="resource", name="status", field=STATUS),
        migrations.RunPython(publish_existing_and_grant, migrations.RunPython.noop),
    ]
