"""The one YAML reader for files people write (briefings, demo data): safe, no aliases, dates and times as text."""

import re
from pathlib import Path

import yaml


class Loader(yaml.SafeLoader):
    """Safe YAML that refuses aliases, which can multiply a small file into a huge one."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"'*{event.anchor}' is read as a YAML alias, which is not allowed; "
                "if it is text (e.g. **bold**), put the whole value in quotes",
                event.start_mark,
            )
        return super().compose_node(parent, index)


# A date stays text, so an impossible one (2030-02-30) gets the caller's clear message rather than a crash;
# "9:30" or "1:10" stays text rather than YAML 1.1's base-60 number (570, 70).
BASE_60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
Loader.yaml_implicit_resolvers = {
    first: [
        ("tag:yaml.org,2002:str", BASE_60),
        *((tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"),
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text):
    """The data in YAML `text`; yaml.YAMLError (or RecursionError, for absurd nesting) when it cannot be read."""
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass


class DemoDataError(ValueError):
    """A demo data file that cannot be loaded, with the file and the place in it."""


def load_list_file(path, key):
    """The list under `key` in the YAML file at `path`; DemoDataError naming the file when it is not that."""
    path = Path(path)
    try:
        data = load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, RecursionError) as exc:
        raise DemoDataError(f"{path}: cannot be read as YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise DemoDataError(f"{path}: expected a mapping with a '{key}' list.")
    return data[key]
