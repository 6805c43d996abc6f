"""What a facilitator asks at each step, and the interview that guides someone working alone.

The prompts are drawn from the source material (blameless framing, "what and
how, not who", SMART actions, the client conversation) and from common
practice.  They are data, so the app, the help and the README show the same
questions.
"""

from __future__ import annotations

from dataclasses import dataclass

GROUND_RULES = (
    "Before we start, the ground rules:",
    "We look at systems and conditions, not at who. We ask what and how, never who is to blame.",
    "Everyone acted on what they knew at the time, and came to work to do a good job.",
    "The goal is learning: what happened, why it could happen, and what we change so it does not happen again.",
)

# The same rules in one line, shown at the top of setup for the whole review.
GROUND_RULES_IN_BRIEF = (
    "Ground rules: we look at systems and conditions, not at who. Everyone acted "
    "on what they knew at the time. The goal is learning, not judging."
)

PROMPTS: dict[str, tuple[str, ...]] = {
    "setup": (
        "Is everyone here who was involved? Who is missing?",
        "Who owns the write-up? One person, so it does not fall between people.",
        "Which timezone do we read the timeline in?",
    ),
    "timeline": (
        "When did it start, and how do we know?",
        "When did we first notice, and what told us?",
        "What did we know at that moment, and what did we try?",
        "When was the impact stopped, and when was it fully resolved?",
    ),
    "impact": (
        "Who was affected, and what could they not do?",
        "For how long, and how many: users, requests, orders, hours?",
        "What did it cost the client, and what did it cost us?",
    ),
    "five_whys": (
        "Why did that happen? And why was that possible?",
        "What conditions made that decision look right at the time?",
        "What in the process, tooling or documentation allowed it?",
        "If someone else had been on call, would it have happened anyway?",
    ),
    "went_well": (
        "What helped us notice, understand or fix this quickly?",
        "Which alert, runbook, tool or habit paid off?",
        "Where did we get lucky: what could have made this much worse?",
    ),
    "could_improve": (
        "How could we have detected this in half the time?",
        "What slowed us down: tools, access, knowledge, hand-offs?",
        "What surprised us about how the system behaved?",
    ),
    "actions": (
        "Who will do what, by when, and how will we know it is done?",
        "What would make you confident this will not happen again?",
        "Which action would have detected this sooner?",
        "Which process change stops the whole class of problem?",
    ),
    "summary": (
        "What questions or concerns do you have?",
        "Is there anything the client needs to hear from us that is not here?",
        "When will we check that the actions worked? (30 days is usual)",
    ),
}


@dataclass(frozen=True)
class Question:
    """One interview question and where its answer goes.

    ``target`` is a review field (``title``), ``list:<name>`` for a text item,
    ``event`` (a time then what happened), ``why`` (the next answer of the
    Five Whys chain), or ``<group>.<field>`` (a field of the action or question
    being built, see ``ITEM_GROUPS``).
    ``repeat`` questions are asked again until the answer is left empty.
    ``only``: asked only while the item being built has one of these statuses
    (an action already done has no due date; one not being done needs a reason).
    """

    text: str
    target: str
    repeat: bool = False
    example: str = ""
    only: tuple[str, ...] = ()


# Action statuses, for ``Question.only``: everything but a decision not to act.
ACTING = ("open", "done")


# In the order of the written summary (store.render), so answering every
# question fills in every required field, each where the summary shows it.
INTERVIEW: dict[str, tuple[Question, ...]] = {
    "setup": (
        Question("What should we call this review? Describe what happened, not who.", "title", example="Checkout API returned HTTP 500s"),
        Question("How severe was it? SEV1 (most severe) to SEV4; leave empty for a project.", "severity", example="SEV2"),
        Question("When is the review held? (YYYY-MM-DD)", "review_date", example="2026-11-21"),
        Question("Who will own the write-up? One person.", "owner", example="Lee"),
        Question("Who facilitates the review?", "facilitator", example="Dana"),
        Question("Who took part? Separate names with commas.", "participants", example="Dana, Lee, Sam"),
        Question("Which timezone should timeline times be read in?", "timezone", example="UTC or Europe/Berlin"),
        Question("Supporting links (tickets, dashboards, the incident channel)? Each a label, then the address; "
                 "comma separated.", "links", example="Incident channel #inc-checkout, Ticket INC-123 https://jira.example.com/INC-123"),
    ),
    "timeline": (
        Question(
            "What happened, and when? The time first; then started:, detected:, mitigated: or resolved: if it marks one.",
            "event",
            repeat=True,
            example="14:05 started: Deploy of v2.3 begins",
        ),
    ),
    "impact": (
        Question("Who and what was affected, and for how long? Use numbers.", "impact", example="About 1,200 customers could not pay for 22 minutes"),
        Question("What kind of impact was it? Comma separated: full outage, partial outage, degraded, errors, latency, "
                 "non-production, security.", "impact_categories", example="partial outage, errors"),
        Question("Was it a near miss (nothing reached users)? yes or no.", "near_miss", example="no"),
        Question("What set it off (the trigger)?", "trigger", example="A config push to every host"),
        Question("How did we find out (the detection)?", "detection", example="The error-rate alert paged on-call"),
        Question("What did we not know then that we know now?", "unknowns", example="That client retries doubled the load"),
    ),
    "five_whys": (
        Question("What was the problem, as people saw it (the symptom)?", "five_whys.problem", example="Checkout returned HTTP 500 for 22 minutes"),
        Question("Why did that happen?", "why", repeat=True, example="The database ran out of memory"),
        Question("What else contributed? A condition in the system or process, not a person (empty: none).",
                 "factor.text", example="The migration tool had no dry-run mode"),
        Question("Was it the trigger, a contributing factor, or a mitigating one (it limited the damage)?",
                 "factor.kind", example="contributing"),
        Question("How did it make sense at the time? What did people know then?", "factor.rationale",
                 example="The runbook said to run it on any host"),
    ),
    "went_well": (
        Question("What went well in the response?", "list:went_well", repeat=True, example="The rollback took 2 minutes"),
        Question("Where did we get lucky?", "list:lucky", repeat=True, example="It happened outside peak hours"),
    ),
    "could_improve": (
        Question("What could we have done better? Say what and how, not who.", "list:could_improve", repeat=True, example="The alert went to a channel nobody watched at night"),
        Question("What surprised us?", "list:surprises", repeat=True, example="Retries doubled the load"),
    ),
    "actions": (
        Question("What will be done? Be specific and measurable.", "action.what", example="Alert when DB memory stays above 80% for 5 minutes"),
        Question("Is it still to do (open), done already, or decided against (not doing)? Empty: open.",
                 "action.status", example="open"),
        Question("Who owns it? One person.", "action.owner", example="Sam", only=ACTING),
        Question("By when? (YYYY-MM-DD)", "action.due", example="2026-12-15", only=("open",)),
        Question("On which day was it done? (YYYY-MM-DD)", "action.done_on", example="2026-11-20", only=("done",)),
        Question("How will we know it is done?", "action.done_when", example="The alert fires in the staging drill", only=ACTING),
        Question("What type is it: prevent, mitigate, detect, process, repair or other?", "action.type", example="detect",
                 only=ACTING),
        Question("Which root cause, factor or improvement does it address?", "action.addresses", example="1 (for root cause 1)"),
        Question("Why are we not doing it? The reason is kept with the decision.", "action.note",
                 example="The new cluster retires this host in January", only=("not_doing",)),
    ),
    "summary": (
        Question("In one paragraph, what happened and what are we changing?", "summary"),
        Question("What questions or concerns were raised?", "question.text", example="Will this affect the January release?"),
        Question("What was the answer?", "question.answer", example="No: the fix ships in December"),
        Question("When do we check that the actions worked? (YYYY-MM-DD, usually 30 days on)", "follow_up.due", example="2026-12-21"),
    ),
}

# Questions whose answers fill one item field by field: the first field adds the item.
ITEM_GROUPS = {"action": "actions", "question": "questions", "factor": "factors"}
