"""Demo team records, follow-up answers and "Was this useful?" votes, dated from today so the report has a year to show.

Loading again replaces the demo rows (found by their teams and voters) rather than adding more.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from briefings.models import Briefing
from training.models import Course

from .models import Agency, FollowUp, TeamRecord, UsefulnessVote

TEAMS = [
    "North locality social work team", "Central health visiting team", "Safeguarding in education leads",
    "Neighbourhood policing team 3", "Early help family hub (east)", "Adult mental health team",
    "Community paediatrics", "Youth justice service", "Domestic abuse outreach (voluntary)", "School nursing",
    "Children in care team", "Midwifery safeguarding team",
]  # fmt: skip
AGREED = [
    "Use the graded care profile at the second visit when we are worried about home conditions.",
    "Write down the child's own words in every contact record, not only the parent's account.",
    "Bring every case open longer than six months to supervision with a chronology.",
    "Ask for a professionals' meeting when a family misses two health appointments in a row.",
    "Check with school about attendance before closing a case.",
    "Talk about “disguised compliance” openly in team meetings when progress stalls.",
]
CHANGES = [
    "Supervision now starts with the child's day, before the adults' needs. Two cases were escalated sooner.",
    "We added a chronology prompt to our case notes template; managers check it monthly.",
    "Missed health appointments now trigger a call to the lead professional within a week.",
    "The team uses the graded care profile routinely; we found it easier to explain our worries to parents.",
    "Less than we hoped: staff turnover meant the agreement lapsed. We are revisiting the briefing in March.",
    "We now ask teenagers directly about food and heating at home, and record what they say.",
]
COMMENTS = ["Clear and short enough for a team meeting.", "The questions started a good discussion.",
            "Would like a local example.", ""]  # fmt: skip
VOTER_PREFIX = "demo-"


@transaction.atomic
def load_learning_demo(today=None, seed=7):
    """Replace the demo records and votes with a year of them; returns (records, votes)."""
    today = today or timezone.localdate()
    rnd = random.Random(seed)
    TeamRecord.objects.filter(team__in=TEAMS, email="").delete()
    UsefulnessVote.objects.filter(voter__startswith=VOTER_PREFIX).delete()
    briefings = list(Briefing.objects.published().order_by("pk"))
    agencies = list(Agency.objects.filter(active=True))
    if not briefings or not agencies:
        return 0, 0
    now = timezone.now()
    records = []
    for briefing in briefings:
        for _ in range(rnd.randint(12, 30)):
            records.append(
                TeamRecord(
                    briefing=briefing,
                    briefing_title=briefing.title,
                    met_on=today - datetime.timedelta(days=rnd.randint(3, 330)),
                    team=rnd.choice(TEAMS),
                    agency=rnd.choice(agencies),
                    attendees=rnd.randint(4, 22),
                    changes=rnd.choice(AGREED),
                )
            )
    TeamRecord.objects.bulk_create(records)
    follow_ups = []
    for record in records:
        if (today - record.met_on).days > 100 and rnd.random() < 0.4:
            sent = now - datetime.timedelta(days=(today - record.met_on).days - 92)
            follow_ups.append(
                FollowUp(
                    record=record,
                    status=FollowUp.Status.ANSWERED,
                    sent_at=sent,
                    expires_at=sent + datetime.timedelta(days=30),
                    answer=rnd.choice(CHANGES),
                    answered_at=sent + datetime.timedelta(days=rnd.randint(1, 20)),
                )
            )
    FollowUp.objects.bulk_create(follow_ups)
    TeamRecord.objects.filter(pk__in=[f.record.pk for f in follow_ups]).update(follow_up_answered=True)
    votes = []
    pages = [("briefing", b) for b in briefings] + [("course", c) for c in Course.objects.published().order_by("pk")]
    for kind, page in pages:
        for n in range(rnd.randint(10, 45)):
            votes.append(
                UsefulnessVote(
                    **{kind: page},
                    useful=rnd.random() < 0.82,
                    comment=rnd.choice(COMMENTS),
                    voter=f"{VOTER_PREFIX}{kind}-{page.pk}-{n}",
                )
            )
    UsefulnessVote.objects.bulk_create(votes)
    # Spread the votes over the year (created_at is set on insert).
    for vote in votes:
        vote.created_at = now - datetime.timedelta(days=rnd.randint(0, 330), minutes=rnd.randint(0, 1440))
    UsefulnessVote.objects.bulk_update(votes, ["created_at"])
    return len(records), len(votes)
