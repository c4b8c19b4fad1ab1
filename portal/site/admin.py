from django.contrib import admin

from portal.admin_mixins import PublisherChangesWhatIsPublicMixin
from portal.site.models import SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(PublisherChangesWhatIsPublicMixin, admin.ModelAdmin):
    """Editors see the synonyms; publishers change them, since they change what every search finds."""

    list_display = ["terms"]
    search_fields = ["terms"]
