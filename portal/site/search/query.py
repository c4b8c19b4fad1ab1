"""The reader's query, reduced to words, phrases, `or` and `-word`, so no input is database syntax."""

import re
import unicodedata
from dataclasses import dataclass, field

from portal.site.search.text import clean_text
from portal.text import WORD

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
# Synonyms turn one term into several; this many alternatives at most per term.
MAX_ALTERNATIVES = 12
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


def expand(parsed, synonyms):
    """The query with each word or phrase ORed with its synonyms, and a hyphenated term with its joined form.

    `synonyms` maps a tuple of lower-case words to the tuples that mean the same. Consecutive words
    that spell one ("7 minute", "graded care profile") are replaced by that one group.
    """
    longest = max(map(len, synonyms), default=1)
    source, groups, i = parsed.groups, [], 0
    while i < len(source):
        for end in range(min(len(source), i + longest), i + 1, -1):
            run = source[i:end]
            words = tuple(word for group in run if len(group) == 1 for word in group[0])
            if all(len(group) == 1 for group in run) and words in synonyms:
                groups.append(alternatives([list(words)], synonyms))
                i = end
                break
        else:
            groups.append(alternatives(source[i], synonyms))
            i += 1
    excluded = [term for group in (alternatives([term], synonyms) for term in parsed.excluded) for term in group]
    return ParsedQuery(groups=groups, excluded=excluded)


def alternatives(terms, synonyms):
    """The terms, each followed by its synonyms and, for a phrase like "child-care", its joined form."""
    found = []
    for term in terms:
        for words in (tuple(term), *synonyms.get(tuple(term), ()), ("".join(term),) if len(term) > 1 else ()):
            if words and list(words) not in found and len(found) < MAX_ALTERNATIVES:
                found.append(list(words))
    return found
