"""Create the Editor and Publisher groups.

Editors create and edit content; only Publishers may publish or unpublish.
"""

from django.db import migrations

EDIT = [
    ("briefings", m) for m in ["briefing", "section", "discussionquestion", "keyfact", "resource", "theme", "featuredtheme"]
] + [("training", m) for m in ["course", "learningoutcome", "session"]]  # fmt: skip


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after migrate; make them now so the groups can hold them.
    for app_label in ("briefings", "training", "portal"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(actions):
        found = []
        for app_label, model in EDIT:
            for action in actions:
                found.extend(Permission.objects.filter(content_type__app_label=app_label, codename=f"{action}_{model}"))
        return found

    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.set(perms(["add", "change", "view"]))

    publisher, _ = Group.objects.get_or_create(name="Publisher")
    publish = list(Permission.objects.filter(codename__in=["publish_briefing", "publish_course"])) + list(
        Permission.objects.filter(
            content_type__app_label="portal", codename__in=["change_sitesettings", "view_sitesettings"]
        )
    )
    publisher.permissions.set(perms(["add", "change", "view", "delete"]) + publish)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("briefings", "0002_initial"),
        ("training", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
