"""Asking for a person: varied real-world wording, hard negatives, negation, typos, and the evidence shown."""
from __future__ import annotations

import pytest

from sidecar.intelligence.evaluation import human_request_score

# What the rules find and quote, without the semantic layer (see conftest.rules_only).
pytestmark = pytest.mark.usefixtures("rules_only")

# Written for these tests: short, messy chat lines and longer ticket sentences.
ASKS_FOR_A_PERSON = [
    "agent pls",
    "can a human look at this please",
    "your AI keeps giving me wrong answers",
    "I've been going in circles with your bot for an hour",
    "please escalate to tier 2",
    "is there a manager I can talk to?",
    "Another canned response. Useless.",
    "can I have a callback tomorrow morning?",
    "operator",
    "live person",
    "representative!!",
    "human please",
    "can i talk to someone",
    "can i speak to a real person please",
    "i need to talk to someone about my account",
    "transfer me",
    "pls transfer me to an agent",
    "put me through to billing please",
    "connect me with a live agent",
    "get me a human",
    "I want to speak with your supervisor",
    "let me talk to your manager right now",
    "is there anyone I can speak to?",
    "who can i talk to about this",
    "I'd like to chat with an actual human being",
    "Could somebody from your support team call me?",
    "call me back asap",
    "please give me a call tomorrow morning",
    "what's your phone number",
    "is there a number i can call",
    "how do I get in touch with customer service?",
    "We would like to schedule a call with your team to go over this.",
    "Can we hop on a quick zoom call?",
    "I'd rather discuss this over the phone.",
    "is this a robot?",
    "am i talking to a bot",
    "are you a real person",
    "this bot is useless",
    "your chatbot doesn't understand anything",
    "stop giving me canned answers",
    "I don't want to talk to a machine",
    "I want a person, not a bot",
    "no more automated replies please, a human",
    "Please escalate this to someone senior.",
    "can u connect me to sum1 who can actually help",
    "speak to representitive",
    "talk to humna",
    "i need to speak to a bloody human",
    "Our account manager should be looped in - can I talk to our account manager?",
    "Please have a manager call me today.",
    "this isn't helping. human.",
    "phone number?",
    "agent plzz",
    "human pleaseee",
    # Chat shorthand without inner vowels, and bare requests in the other languages.
    "agnt pls",
    "hmn",
    "cn i spk to a prsn",
    "OPERADOR POR FAVOR",
    "Mitarbeiter bitte",
    "i need customer care no",
    "mgr pls. this is the third time",
    "un humain svp",
    "ein Mensch bitte",
    "Is there an actual human being employed at your company?",
    "My team can't reach anyone at your company and the import is still broken.",
    "is there a real person reading these?",
]

# Mentions of agents, managers, people and calls that do not ask for one.
DOES_NOT_ASK = [
    'Your pricing page says the Reporting add-on is "Contact sales".',  # a label the customer quotes
    "When I press “Talk to an agent” the chat window just closes.",
    "The agent said the fix would ship on Friday.",
    "my agnt number on the invoice is wrong",
    "una persona de mi equipo no puede entrar",
    "We have a callback function that never fires.",
    "The automated reply email template has a typo.",
    "I escalated the issue internally already.",
    "Our support agent role cannot see the billing tab.",
    "The human resources module is not syncing employee records.",
    "I called the API with the new token and got a 401.",
    "Manager role permissions bug: managers can delete tickets.",
    "How do I add another agent seat to our plan?",
    "The person who set up our account has left the company.",
    "Someone on my team changed the SLA policy yesterday.",
    "User Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
    "Transfer money to someone abroad - what are the fees?",
    "The callback URL for the webhook returns 404.",
    "We talked to your agent yesterday and it is solved now, thanks.",
    "Our agents are seeing a blank screen when they open a ticket.",
    "How do I change the phone number on my account?",
    "Please update the contact details for our billing admin.",
    "The captcha says I'm not a robot but then fails.",
    "I was talking to the agent when the chat disconnected, but the issue is fixed.",
    "Can the bot answer in Spanish too?",
    "The email service from our provider is down.",
    "The support team resolved it, great work.",
    "Please update our contact person details, Maria has left.",
    "What is the phone number on my statement?",
    "Our manager wants the report by Friday.",
    "mgr approval is needed for refunds",
    "Our SDR team can't call anyone on their lists today.",  # someone else's calls, reported
    "The reps cannot reach anyone on the call list since the outage.",
]

NEGATED = [
    "No need to call me, email is fine.",
    "I don't need to speak to anyone, just send the invoice.",
    "You don't have to transfer me, I found the setting.",
    "Please do not call me, I am in meetings all day.",
    "I don't want to talk to a manager, I just want it fixed.",
]


@pytest.mark.parametrize("text", ASKS_FOR_A_PERSON)
def test_requests_for_a_person_are_detected(make_ticket, text):
    assert human_request_score(make_ticket(text)) >= 0.5, text


@pytest.mark.parametrize("text", DOES_NOT_ASK)
def test_mentions_of_people_do_not_count_as_a_request(make_ticket, text):
    assert human_request_score(make_ticket(text)) < 0.5, text


@pytest.mark.parametrize("text", NEGATED)
def test_negated_requests_do_not_fire(make_ticket, text):
    assert human_request_score(make_ticket(text)) < 0.5, text


def test_hours_question_is_weaker_than_a_request(make_ticket):
    hours = human_request_score(make_ticket("What hours can I call an agent?"))
    now = human_request_score(make_ticket("I need to call an agent now."))
    assert hours < 0.5 <= now


# Customer service is where the ticket already is: asked for in the opening message, it counts below the
# category threshold; asked for again after a reply, it means a person from it.
SUPPORT_CHANNEL_OPENINGS = [
    "I need to talk to customer service",
    "how do i speak with customer support?",
    "I have to get in touch with your support team, can you help",
    "customer care se baat karni hai",
]


@pytest.mark.parametrize("text", SUPPORT_CHANNEL_OPENINGS)
def test_the_support_channel_in_the_opening_message_counts_below_the_threshold(make_ticket, text):
    assert 0.3 <= human_request_score(make_ticket(text)) < 0.5, text


@pytest.mark.parametrize("text", SUPPORT_CHANNEL_OPENINGS)
def test_the_support_channel_asked_for_after_a_reply_is_a_request_for_a_person(make_ticket, text):
    ticket = make_ticket(
        "The CSV import drops the last row.",
        comments=[
            ("customer", "The CSV import drops the last row."),
            ("bot", "Here is our article on CSV formats."),
            ("customer", text),
        ],
    )
    assert human_request_score(ticket) >= 0.5, text


@pytest.mark.parametrize(
    "text",
    [
        "transfer me to customer service please",  # a hand-over asked for outright
        "customer service pls",  # the bare command a chat bot is given
        "Can we talk to your billing team about the invoice?",  # a team of people, not the support channel
        "I want to speak to a person from customer support",
    ],
)
def test_a_hand_over_or_a_named_team_counts_in_the_opening_message(make_ticket, text):
    assert human_request_score(make_ticket(text)) >= 0.5, text


def test_request_gets_the_category_and_a_quoted_signal(assess):
    assessment = assess("Hi, the export keeps failing. Can I talk to a real person please?")
    categories = {c.name: c.confidence for c in assessment.categories}
    assert categories["human_requested"] >= 0.9
    asks = next(s for s in assessment.signals if s.name == "asks_for_human")
    assert asks.category == "human_requested"
    assert asks.contribution > 2
    assert asks.evidence == 'description: "Can I talk to a real person please?"'


def test_request_in_a_later_comment_names_the_comment(make_ticket, now):
    from sidecar.intelligence.scoring import assess_ticket

    ticket = make_ticket(
        "Export fails with a timeout.",
        comments=[
            ("customer", "Export fails with a timeout."),
            ("bot", "Have you tried clearing your browser cache?"),
            ("customer", "yes. this bot is useless, get me a human"),
        ],
    )
    evidence = {s.name: s.evidence for s in assess_ticket(ticket, now=now).signals}
    assert evidence["asks_for_human"].startswith('comment 3 (customer): "')
    assert "get me a human" in evidence["asks_for_human"]
    assert "this bot is useless" in evidence["rejects_automated_help"]


def test_bot_and_agent_comments_are_not_read_as_the_customer_asking(make_ticket):
    ticket = make_ticket(
        "The sync stopped.",
        comments=[("bot", "Would you like to talk to an agent?"), ("agent", "Happy to call you if that helps.")],
    )
    assert human_request_score(ticket) == 0.0


@pytest.mark.parametrize(("text", "asks"), [
    ("We need the limit raised before the import, can you get someone to send us an updated quote?", False),
    ("Could you have someone prepare the credit note for March?", False),
    ("I need someone to call me about this today.", True),
])
def test_a_vague_someone_sent_to_do_paperwork_asks_for_the_paperwork(assess, text, asks):
    assert ("human_requested" in {c.name for c in assess(text).categories}) is asks


@pytest.mark.parametrize("text", ["Please pass this to a person.", "Can you hand this over to a human?",
                                  "Please forward my ticket to a real person."])
def test_handing_the_ticket_to_a_person_asks_for_one(assess, text):
    assert "asks_for_human" in {s.name for s in assess(text).signals}, text


def test_handing_it_to_a_colleague_of_ones_own_asks_for_no_one(assess):
    assert "asks_for_human" not in {s.name for s in assess("I'll pass this to a colleague of mine.").signals}
