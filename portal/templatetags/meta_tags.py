from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, path=None):
    """This page's (or `path`'s) full address, without the query string, for og:url and feeds."""
    request = context.get("request")
    if request is None:
        return ""
    return request.build_absolute_uri(path or request.path)
