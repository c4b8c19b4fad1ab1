from django.apps import AppConfig


class LearningConfig(AppConfig):
    verbose_name = "Learning into practice"
    name = "learning"
    default_auto_field = "django.db.models.BigAutoField"
