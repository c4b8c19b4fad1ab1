"""The reader's query, reduced to words, phrases, `or` and `-word`, so no input is database syntax."""

import re
import unicodedata
from dataclasses import dataclass, field

from portal.site.search.text import clean_text

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
WORD = re.compile(r"[^\W_]+")
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def clean_query(raw):
    """The reader's query as safe, bounded text (no NUL or control characters)."""
    text = unicodedata.normalize("NFKC", str(raw or "")[: MAX_QUERY_LENGTH * 4])
    return clean_text(text)[:MAX_QUERY_LENGTH].strip()


@dataclass
class ParsedQuery:
    """Groups are ANDed; the terms in a group are ORed; each term is a phrase of one or more words."""

    groups: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.groups)

    def words(self):
        """Every word looked for (not the excluded ones)."""
        return [word for group in self.groups for term in group for word in term]

    def websearch(self):
        """The query in PostgreSQL's websearch syntax, built only from words."""

        def phrase(words):
            return f'"{" ".join(words)}"' if len(words) > 1 else words[0]

        parts = [" or ".join(phrase(term) for term in group) for group in self.groups]
        parts += [f"-{phrase(term)}" for term in self.excluded]
        return " ".join(parts)

    def fts5(self):
        """The query as an FTS5 expression: every term quoted, so no input is FTS5 syntax."""

        def phrase(words):
            return '"' + " ".join(words) + '"'

        groups = [" OR ".join(map(phrase, group)) for group in self.groups]
        expression = " AND ".join(f"({group})" for group in groups)
        for term in self.excluded:
            expression = f"({expression}) NOT {phrase(term)}"
        return expression


def parse_query(query):
    """Web-search syntax: words, "quoted phrases", `or` between terms, `-word` to exclude."""
    parsed = ParsedQuery()
    join_next = False
    count = 0
    for match in TOKEN.finditer(query):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or":
                join_next = bool(parsed.groups)
                continue
            negated = "-" if bare.startswith("-") else ""
            words = WORD.findall(bare)
        else:
            words = WORD.findall(quoted)
        words = [word.lower() for word in words][:MAX_TERMS]
        if not words or count >= MAX_TERMS:
            continue
        count += 1
        if negated:
            parsed.excluded.append(words)
        elif join_next:
            parsed.groups[-1].append(words)
        else:
            parsed.groups.append([words])
        join_next = False
    return parsed
