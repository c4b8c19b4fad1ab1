"""Web address redirects (portal.redirects): Publishers manage them, Editors see them."""

from django.db import migrations, models


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after migrate; make them now so the groups can hold them.
    app_config = apps.get_app_config("portal")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    def perms(actions):
        codenames = [f"{action}_redirect" for action in actions]
        return Permission.objects.filter(content_type__app_label="portal", codename__in=codenames)

    for group in Group.objects.filter(name="Publisher"):
        group.permissions.add(*perms(["add", "change", "delete", "view"]))
    for group in Group.objects.filter(name="Editor"):
        group.permissions.add(*perms(["view"]))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_searchdocumentfts_unmanaged"),
        ("portal", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Redirect",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "old_path",
                    models.CharField(
                        help_text="The address that no longer has a page of its own, e.g. /briefings/old-name/.",
                        max_length=600,
                        unique=True,
                        verbose_name="old address",
                    ),
                ),
                (
                    "new_path",
                    models.CharField(
                        help_text="Where it leads now, e.g. /briefings/new-name/.",
                        max_length=600,
                        verbose_name="new address",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "web address redirect",
                "ordering": ["old_path"],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
