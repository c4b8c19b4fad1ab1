from html.parser import HTMLParser

from django.utils.datastructures import MultiValueDict


class _FormParser(HTMLParser):
    """Collects the fields of the form with id `form_id` as a browser would submit them."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, MultiValueDict()
        self.textarea = self.select = None
        self.select_values = []
        self.first_option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.appendlist(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""
        elif tag == "select" and name:
            self.select, self.select_values, self.first_option = name, [], None
            self.multiple = "multiple" in attrs
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in attrs:
                self.select_values.append(value)

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self.textarea:
            self.data.appendlist(self.textarea, self.text.removeprefix("\n"))
            self.textarea = None
        elif tag == "select" and self.select:
            values = self.select_values or ([] if self.multiple else [self.first_option or ""])
            for value in values:
                self.data.appendlist(self.select, value)
            self.select = None


def form_data(response, form_id):
    """The POST data (a dict of lists) a browser would send back from a rendered form."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    assert parser.data, f"no form #{form_id} in the page"
    return {key: parser.data.getlist(key) for key in parser.data}


def post_data(data):
    """Single values as strings, lists as lists: what Client.post expects."""
    return {key: value[0] if len(value) == 1 else value for key, value in data.items()}
