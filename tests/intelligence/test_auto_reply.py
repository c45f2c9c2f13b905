"""A mail client's automatic reply, and mail quoted back to the end of a message, are nobody's request."""
from __future__ import annotations

import pytest

from sidecar.intelligence.scoring import DEFAULT_WATCH_THRESHOLD, assess_ticket
from sidecar.intelligence.signals.auto_reply import is_automatic_subject
from sidecar.intelligence.text.clean import body_end

NOTICE = ("> Subject: [Ticket #4410] Service disruption\n"
          "> We are seeing an outage affecting logins for all customers. Our engineers are working on it.")
AWAY = "Hello, I am away until 14 November. For anything urgent please contact my colleague at ops@example.com."


@pytest.mark.parametrize("subject", [
    "Automatic reply: Service disruption", "Out of Office: [Ticket #4410]", "RE: Auto-Reply: your request",
    "Abwesenheitsnotiz: Störung", "Réponse automatique : Incident en cours", "Respuesta automática: incidencia",
    "Resposta automática: Incidente", "Risposta automatica: disservizio", "Automatisch antwoord: storing",
])
def test_mail_clients_automatic_reply_prefixes_are_recognised(subject):
    assert is_automatic_subject(subject)


@pytest.mark.parametrize("subject", [
    "Outage of our office network? No: your login page", "Automatic replies to our customers stopped working",
    "Export broken", "",
])
def test_other_subjects_are_not_automatic(subject):
    assert not is_automatic_subject(subject)


def test_an_out_of_office_reply_quoting_an_outage_notice_is_no_reason(make_ticket, now):
    ticket = make_ticket(f"{AWAY}\n\nRegards,\nDana\n\n{NOTICE}", subject="Automatic reply: Service disruption",
                         organization={"tier": "enterprise", "arr": 250000})
    assessment = assess_ticket(ticket, now=now)
    assert not assessment.categories, assessment.signals
    assert assessment.score < DEFAULT_WATCH_THRESHOLD


def test_a_later_message_of_the_customer_still_counts(make_ticket, now):
    text = f"{AWAY}\n\n{NOTICE}"
    ticket = make_ticket(text, subject="Out of Office: Service disruption", comments=[
        ("customer", text), ("agent", "Thanks Dana, noted."),
        ("customer", "Back now: since this morning every CSV export fails with a 500 error for all our users."),
    ])
    assert [c.name for c in assess_ticket(ticket, now=now).categories] == ["bug_incident"]


def test_quoted_mail_to_the_end_of_a_message_is_cut_and_a_quote_answered_below_is_kept():
    text = f"Thanks, that helps.\n\n{NOTICE}"
    assert text[:body_end(text)].strip() == "Thanks, that helps."
    answered = "> you said the export works\nIt does not, it fails for every file."
    assert body_end(answered) == len(answered)


FORWARD = ("Hi,\n\nForwarding this from our CFO. Please treat as urgent.\n\n"
           "---------- Forwarded message ----------\nFrom: Richard Haines <r.haines@example.com>\n"
           "Date: Tue, 30 Apr 2024 at 08:12\nSubject: SAP sync\n\nSophie,\n\n"
           "The SAP interface has been failing since the 28th and 1,900 orders never reached SAP.\n\n"
           "Richard\n\n-- \nRichard Haines | CFO")


def test_a_forwarded_mail_is_the_customers_to_read_up_to_its_own_end():
    end = body_end(FORWARD)
    assert "1,900 orders never reached SAP" in FORWARD[:end]
    assert "| CFO" not in FORWARD[:end]  # its signature is still cut


def test_a_reply_quoting_earlier_mail_without_forwarding_it_is_cut():
    text = "Thanks, that helps.\n\nFrom: Support <support@example.com>\nWe are seeing an outage affecting logins."
    assert text[:body_end(text)].strip() == "Thanks, that helps."


def test_a_forwarded_report_is_assessed(make_ticket, now):
    assessment = assess_ticket(make_ticket(FORWARD, subject="FW: SAP sync"), now=now)
    assert "bug_incident" in [c.name for c in assessment.categories], assessment.signals
