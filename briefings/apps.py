from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "briefings"

    def ready(self):
        from briefings import body, related
        from briefings.models import Resource
        from portal import media

        media.register_public_uploads("resources/", lambda name: Resource.objects.public().filter(file=name).exists())
        body.connect()
        related.connect()
