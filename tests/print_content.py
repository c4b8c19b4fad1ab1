"""Realistic briefing content for the print tests (written for these tests, not taken from any source).

The briefings themselves are built by tests/factories.py (PrintBriefingFactory, and BriefingFactory(**shaped(...))).
"""

import datetime

from briefings.models import Briefing, Resource

SEVEN_MINUTE_SECTIONS = [
    (
        "Background",
        "Reviews of serious incidents keep finding the same pattern: neglect was visible for a long time, "
        "but no single agency saw the whole picture. This briefing draws together what local and national "
        "reviews since 2014 tell us about spotting neglect early and acting on it before harm builds up. "
        "It is written for every practitioner who works with children and their parents, in any agency.",
    ),
    (
        "Why it matters",
        "Neglect is harm, not a lifestyle. It damages a child's health, learning and relationships, and it can "
        "kill. Because it is usually chronic rather than a single event, families and workers can both become "
        "used to it. Children then live through repeated plans that change very little for them. Reviews "
        "show that drift, optimism about parents and a focus on adults all delay action.",
    ),
    (
        "Who is most at risk",
        "- Babies, especially those born early or with ongoing health needs.\n"
        "- Disabled children, whose needs are easily explained away.\n"
        "- Teenagers, whose neglect is often mistaken for choices they are making.\n"
        "- Children whose parents face domestic abuse, poor mental health or substance misuse.\n"
        "- Children who are often missing from school or from health appointments.",
    ),
    (
        "What good assessment looks like",
        "Good assessment looks at history as well as the present day. A chronology shows patterns that single "
        "visits miss: missed health appointments, repeated minor injuries, school absence. Use a structured tool "
        "such as the Graded Care Profile 2 so that concerns are described in the same way by every agency. "
        "Be honest about a parent's capacity to change, and set out what evidence would show it.",
    ),
    (
        "Keeping the child in focus",
        "Ask what a normal day is like for this child: what they eat, where they sleep, who notices when they are "
        "unwell. Talk to the child on their own where it is safe. Judge progress by changes in the child's daily "
        "life, not by how many appointments the parents attended. Record what the child says in their own words, "
        "and check whether the plan has made any difference to how they feel.",
    ),
    (
        "Questions to keep asking",
        "1. What is daily life like for this child, today?\n"
        "2. What has actually changed since the last plan?\n"
        "3. Are we seeing real engagement, or only agreement?\n"
        "4. Who else knows this family, and have we spoken to them?\n"
        "5. What would make us escalate, and are we there yet?",
    ),
    (
        "What to do",
        "Take low-level concerns seriously and write them down, even when each one seems small on its own. "
        "Tell the family plainly what you are worried about and why. Share information with partner agencies early. "
        "Be clear with parents about what must change and by when. If things do not improve, use supervision to "
        "challenge drift and follow the escalation policy. See the "
        "[neglect toolkit](https://example.org/neglect-toolkit) for tools and templates.",
    ),
]

SEVEN_MINUTE_QUESTIONS = [
    "How do we notice when we have become used to a family's circumstances?",
    "Which tools for assessing neglect does our team use, and how confident are we with them?",
    "How do we hear directly from children about their daily lives?",
    "When did we last escalate a case that was drifting, and what happened?",
]

THEMATIC_SECTIONS = [
    ("Learning journey: how we did the review", "We looked again at neglect four years after our first review."),
    ("Good practice we found", "Agencies worked well together and used the neglect toolkit."),
    ("What else we found", "Training was uneven and information sharing was patchy across agencies."),
    ("What we learned", "Consistent training and shared records make the biggest difference."),
    ("Recommendations", "1. Refresh neglect training.\n2. Review the escalation process across agencies."),
    ("What you can do", "Go on the Graded Care Profile 2 course and use supervision to review drift."),
]

AUDIT_SECTIONS = [
    ("Good practice", "Schools shared information well and early help thresholds were applied correctly."),
    ("Key learning", "Family history was often on file but not pulled together or analysed."),
    ("Improving practice", "Build a chronology and capture the child's lived experience in every assessment."),
    ("Next steps", "Discuss this briefing at a team meeting and use the neglect screening tool."),
]


def long_sections(count=7, paragraphs=9):
    """Sections far too long for one page; each ends with a sentence the tests look for."""
    sentence = (
        "Practitioners described how a family's circumstances slowly became normal to them over many months, "
        "so that each new concern seemed small when it was set against everything that had gone before. "
    )
    return [
        (
            f"Long section heading {n}",
            "\n\n".join(sentence * 3 for _ in range(paragraphs)) + f"\n\nThis is the final sentence of section {n}.",
        )
        for n in range(1, count + 1)
    ]


# --- Briefings of any shape, for the print parity tests ---

_VOCABULARY = (
    "the child family school health visitor parent neglect review agency practitioner concern plan record "
    "meeting home daily life support change evidence assessment referral drift escalation supervision team "
    "worker social care police nurse teacher attendance appointment sleep food clothing hygiene safety "
    "chronology pattern history voice lived experience carer professional threshold early help partnership "
    "information sharing multi-agency response outcome progress capacity engagement compliance harm injury"
)
_WORDS = _VOCABULARY.split()


def words(count, seed):
    """`count` ordinary words as sentences, the same for the same seed."""
    out = []
    for i in range(count):
        word = _WORDS[(seed * 7919 + i * i * 31 + i * 17) % len(_WORDS)]
        out.append(word.capitalize() if i % 12 == 0 else word)
        if i % 12 == 11 or i == count - 1:
            out[-1] += "."
    return " ".join(out)


def section_body(word_count, seed, bullets=0, table=False, quote=False):
    """Markdown of about `word_count` words in paragraphs, with an optional list, table and long quotation."""
    parts, left, n = [], word_count, 0
    while left > 0:
        size = min(left, 70)
        parts.append(words(size, seed + n))
        left -= size
        n += 1
        if n == 1 and bullets:
            parts.append("\n".join(f"- {words(7 + i % 3 * 4, seed + 100 + i)}" for i in range(bullets)))
        if n == 1 and table:
            rows = ["| Agency | What they saw | When |", "|---|---|---|"]
            rows += [f"| {words(2, seed + r)} | {words(9, seed + 50 + r)} | {r + 1} May |" for r in range(5)]
            parts.append("\n".join(rows))
        if n == 1 and quote:
            parts.append("> " + words(max(20, word_count // 2), seed + 200))
    return "\n\n".join(parts)


def shaped(
    kind=Briefing.Kind.SEVEN_MINUTE_BRIEFING,
    panels=7,
    panel_words=60,
    bullets=0,
    table=False,
    quotes=False,
    key_facts=1,
    questions=4,
    title_length=40,
    resources=1,
    seed=0,
):
    """BriefingFactory arguments for a published briefing with exactly the parts asked for: nothing else."""
    return {
        "title": ("Neglect " + words(40, seed))[:title_length].rstrip(" .") or "Neglect",
        "slug": f"shape-{seed}-{kind[:5]}-{panels}-{panel_words}-{key_facts}-{questions}-{title_length}",
        "kind": kind,
        "summary": "What practitioners need to know, in a few minutes.",
        "publisher": "Example Safeguarding Children Partnership",
        "published": datetime.date(2024, 5, 1),
        "last_reviewed": datetime.date(2025, 3, 3),
        "review_due": datetime.date(2026, 5, 1),
        "sections": [
            (
                f"Panel {i + 1}: {words(3, seed + i)}".rstrip("."),
                # Lists, tables and quotations go in different panels, so a briefing has plain and structured ones.
                section_body(
                    panel_words,
                    seed + 10 * i,
                    bullets=bullets if i % 2 == 0 else 0,
                    table=table and i % 2 == 1,
                    quote=quotes and i % 3 == 0,
                ),
            )
            for i in range(panels)
        ],
        "key_facts": [(f"{10 + 7 * i}%", words(8, seed + i), words(5, i)) for i in range(key_facts)],
        "questions": [words(14 + i % 3 * 6, seed + 40 + i).rstrip(".") + "?" for i in range(questions)],
        "resources": [
            {"title": f"Toolkit {i + 1}", "kind": Resource.Kind.TOOLKIT, "url": f"https://example.org/toolkit-{i}"}
            for i in range(resources)
        ],
    }
