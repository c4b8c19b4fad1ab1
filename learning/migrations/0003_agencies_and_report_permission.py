"""Seed the partnership's list of agencies, and let Publishers see the reach report and keep the list.

Editors get nothing here: an administrator gives the report permission to anyone else who leads on learning.
"""

from django.db import migrations

AGENCIES = ["Children's social care", "Health", "Police", "Education", "Early help", "Adult services",
            "Voluntary sector", "Other"]  # fmt: skip
PUBLISHER_PERMISSIONS = ["view_reach_report", "view_teamrecord", "delete_teamrecord", "view_agency", "add_agency",
                         "change_agency", "view_followup"]  # fmt: skip


def seed_agencies(apps, schema_editor):
    Agency = apps.get_model("learning", "Agency")
    for position, name in enumerate(AGENCIES, start=1):
        Agency.objects.get_or_create(name=name, defaults={"position": position * 10})


def grant_publishers(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after migrate; make them now so the group can hold them.
    app_config = apps.get_app_config("learning")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    publisher, _ = Group.objects.get_or_create(name="Publisher")
    publisher.permissions.add(
        *Permission.objects.filter(content_type__app_label="learning", codename__in=PUBLISHER_PERMISSIONS)
    )


def revoke_publishers(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Publisher"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="learning", codename__in=PUBLISHER_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0002_follow_ups_reach_report"),
        ("portal", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(seed_agencies, migrations.RunPython.noop),
        migrations.RunPython(grant_publishers, revoke_publishers),
    ]
