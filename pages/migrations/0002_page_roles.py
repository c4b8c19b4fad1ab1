"""Editors write partnership pages; Publishers also publish and delete them (as with briefings)."""

from django.db import migrations

EDITOR = ["add_page", "change_page", "view_page"]
PUBLISHER = EDITOR + ["delete_page", "publish_page"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after migrate; make them now so the groups can hold them.
    app_config = apps.get_app_config("pages")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [("Editor", EDITOR), ("Publisher", PUBLISHER)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="pages", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="pages"))


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_pages"),
        ("portal", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
