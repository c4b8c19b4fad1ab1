"""{% chrome %}: the site's own markup in the base template, rendered once per worker and kept until content changes.

The header, navigation, quick exit, emergency line and footer are the same on every page for the
same site settings, contrast choice and page (the navigation marks the current one). Rendering them
cost a cold page more than anything else in the base template, so each `{% chrome %}` block keeps
what it rendered, keyed on the page cache's content generation (every save of content or of the
site settings moves it on, so an edit shows on the next request), today's date, the script prefix,
the reader's contrast choice and the page's URL name. It never holds content: what is inside a
`{% chrome %}` block may use only `site`, `site_urls`, `site_static`, `contrast`, the URL name
(`request.resolver_match`) and the date, never the user, the request's address or query, a nonce
or the page's own objects.
"""

from django import template
from django.core.signals import setting_changed
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe

from portal.cache import generation, today

register = template.Library()

# Moved on by any settings change (tests override STATIC_URL, TEMPLATES, ...): kept markup made
# under other settings is dropped.
_settings_epoch = [0]


def _settings_changed(**kwargs):
    _settings_epoch[0] += 1


setting_changed.connect(_settings_changed)


def chrome_key(context):
    """What a chrome block's markup may depend on, or None to render it every time (no request in the context)."""
    request = context.get("request")
    if request is None:
        return None
    # The same for every chrome block of a request: worked out once, again only if the generation moves.
    current = generation()
    kept = request.__dict__.get("_chrome_key")
    if kept is None or kept[0][0] != current:
        match = request.resolver_match
        page = None if match is None else (match.app_name, match.namespace, match.url_name)
        stamp = (current, today(), _settings_epoch[0])
        kept = request._chrome_key = (stamp, (get_script_prefix(), context.get("contrast"), page))
    return kept


class ChromeNode(template.Node):
    # Hidden from {% extends %}, which walks the whole base template for blocks on every render;
    # a chrome block holds no {% block %}.
    child_nodelists = ()

    def __init__(self, nodelist):
        self.nodelist = nodelist
        # (stamp, {variant: markup}): one stamp at a time, so markup of older generations is let go.
        self.kept = (None, {})

    def render(self, context):
        key = chrome_key(context)
        if key is None:
            return self.nodelist.render(context)
        stamp, variant = key
        kept_stamp, kept = self.kept
        if kept_stamp != stamp:
            kept = {}
            self.kept = (stamp, kept)
        markup = kept.get(variant)
        if markup is None:
            markup = kept[variant] = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered by the template
        return markup


@register.tag
def chrome(parser, token):
    """{% chrome %} ... {% endchrome %}: markup rendered once per content generation, day, contrast and page."""
    return _enclosing(parser, token, ChromeNode)


class LayoutNode(template.Node):
    """The base template's markup, with its {% block %}s found once per worker, not on every render.

    {% extends %} looks for the parent's blocks by walking the parent's whole node tree each time a
    page is rendered; a compiled template never changes, so the answer is kept.
    """

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.found = {}

    def render(self, context):
        return self.nodelist.render(context)

    def get_nodes_by_type(self, nodetype):
        found = self.found.get(nodetype)
        if found is None:
            found = self.found[nodetype] = super().get_nodes_by_type(nodetype)
        return list(found)


@register.tag
def layout(parser, token):
    """{% layout %} ... {% endlayout %}: around everything in a base template that other templates extend."""
    return _enclosing(parser, token, LayoutNode)


def _enclosing(parser, token, node_class):
    """The node of a tag with no arguments around what comes up to its end tag ({% name %} ... {% endname %})."""
    name = token.contents.split()[0]
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError(f"{{% {name} %}} takes no arguments.")
    nodelist = parser.parse((f"end{name}",))
    parser.delete_first_token()
    return node_class(nodelist)
