from django.apps import AppConfig


class TrainingConfig(AppConfig):
    verbose_name = "Training"
    name = "training"
