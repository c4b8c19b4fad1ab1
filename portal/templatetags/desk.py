from django import template

from portal import desk

register = template.Library()


@register.simple_tag
def review_desk(user):
    """The review desk's panels for the admin index (portal.desk)."""
    return desk.panels(user)
