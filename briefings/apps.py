from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "briefings"

    def ready(self):
        from briefings import body

        body.connect()
