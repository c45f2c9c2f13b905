"""Money, security/legal and other-team requests: demands beat questions, negations do not fire."""
from __future__ import annotations

import pytest

from sidecar.intelligence.signals import message_findings

# What the rules find and quote, without the semantic layer (see conftest.rules_only).
pytestmark = pytest.mark.usefixtures("rules_only")


def names(assessment):
    return {s.name for s in assessment.signals}


def categories(assessment):
    return {c.name: c.confidence for c in assessment.categories}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want my money back.", "refund_request"),
        ("Please refund me the last payment, now.", "refund_request"),
        ("We were charged twice for June.", "billing_error"),
        ("The invoice is wrong - it lists 40 seats, we have 25.", "billing_error"),
        ("We still haven't received our refund.", "refund_request"),
        ("We will file a chargeback with our bank.", "chargeback_or_dispute"),
        ("Please cancel our subscription at the end of the month.", "cancellation_request"),
        ("We were invoiced for 40 seats although only 25 people use it.", "billing_error"),
        ("The plan renewed last week even though we cancelled in March.", "billing_error"),
        ("Your invoice does not match the order form we signed.", "billing_error"),
        ("Our price went up by 30% without any notice.", "billing_error"),
        ("Could you waive the late fee this once?", "refund_request"),
        ("We were charged after our trial ended and never agreed to a paid plan.", "billing_error"),
        ("The card on file was charged even though we pay by invoice.", "billing_error"),
        ("We expect a service credit for the three days of downtime.", "refund_request"),
    ],
)
def test_billing_signals(assess, text, expected):
    assessment = assess(text)
    assert expected in names(assessment), (text, names(assessment))
    assert "billing_refund" in categories(assessment)


def test_refund_demand_is_stronger_than_a_policy_question(assess):
    demand = assess("I was charged for a plan I cancelled. Refund me now.")
    question = assess("What is your refund policy for annual plans?")
    assert demand.score > question.score
    assert categories(demand)["billing_refund"] > categories(question).get("billing_refund", 0.0)


@pytest.mark.parametrize("text", [
    "How do I issue a partial refund for two returned items through the dashboard?",
    "How can we give a refund to a shopper who cancelled?",
    "Refunds to our clients have been failing since Monday.",
    "We process refunds through your API for our buyers.",
])
def test_refunds_the_customer_gives_its_own_customers_are_no_refund_request(assess, text):
    # Their business run on the product (a payments or shop customer), not money owed to them.
    assert "refund_request" not in names(assess(text)), text


@pytest.mark.parametrize("text", [
    "We need you to process a refund for the duplicate charge.",
    "Could you issue us a refund?",
    "I want a refund for the unused seats.",
])
def test_a_refund_asked_of_the_vendor_still_counts(assess, text):
    assert "refund_request" in names(assess(text)), text


def test_a_subject_naming_a_refund_question_is_no_demand(assess):
    assert "billing_refund" not in categories(assess("refund q"))
    assert "billing_refund" not in categories(assess("Refund policy question"))
    assert "billing_refund" in categories(assess("Refund please, we cancelled in March"))


def test_declined_refund_does_not_fire(assess):
    assessment = assess("I don't need a refund, I just want the export fixed.")
    assert "refund_request" not in names(assessment)


def test_refund_ticket_scores_above_password_reset(assess):
    refund = assess("You charged my card twice this month. I want a refund.", subject="Double charge")
    reset = assess("How do I reset my password?", subject="Password reset")
    assert refund.score > reset.score
    assert refund.recommendation == "escalate"
    assert reset.recommendation == "none"
    assert reset.level == "low"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I think our account was hacked - there are logins from an unknown country.", "security_breach"),
        ("Someone logged into our admin account and changed our password.", "security_breach"),
        ("Under GDPR, please delete all my personal data.", "privacy_request"),
        ("This is a data subject access request for my records.", "privacy_request"),
        ("Can you send your SOC 2 report and sign our DPA?", "compliance_paperwork"),
        ("In which region is our data stored? We need it hosted in the EU.", "compliance_paperwork"),
        ("Our auditor needs the access logs for the last 90 days.", "compliance_paperwork"),
        ("Someone changed our admin email without our knowledge.", "security_breach"),
        ("We need to report a security incident.", "security_breach"),
        ("Our lawyer will be in touch about this breach of contract.", "legal_threat"),
        ("We received a subpoena regarding one of your users.", "legal_threat"),
    ],
)
def test_compliance_signals(assess, text, expected):
    assessment = assess(text)
    assert expected in names(assessment), (text, names(assessment))
    assert "compliance_security" in categories(assessment)


def test_security_negation(assess):
    assert "security_breach" not in names(assess("Nothing was compromised, we just rotated the keys as a precaution."))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We need your engineering team to look at the sync job.", "engineering_request"),
        ("Can you raise our API rate limit to 2000 requests per minute?", "engineering_request"),
        ("We need a custom integration with our ERP.", "engineering_request"),
        ("We'd like a custom contract with different payment terms.", "commercial_request"),
        ("Please send a quote for 50 more seats.", "commercial_request"),
        ("Could you have your legal team review our amendment?", "commercial_request"),
        ("Can your product team confirm this is on the roadmap?", "engineering_request"),
        ("This needs both engineering and billing to look at it.", "engineering_request"),
        ("Please send us a root cause analysis by Friday.", "engineering_request"),
        ("We need a written root-cause analysis from your engineering team.", "engineering_request"),
        ("We'd like one of your engineers to review our planned architecture.", "engineering_request"),
        ("need ur eng ppl 2 help set it up", "engineering_request"),
        ("Is that something your solutions team can build for us?", "engineering_request"),
        ("Can your implementation team help us with the migration?", "engineering_request"),
        ("We want to move to the enterprise plan next quarter.", "commercial_request"),
        ("Could your sales team send us a quote?", "commercial_request"),
        ("We are tax exempt; the certificate is attached.", "commercial_request"),
        ("Can you enable the beta for our account?", "engineering_request"),
        ("Please turn on the Workday connector for our workspace.", "engineering_request"),
        ("We'd like you to whitelist our two office IPs on our tenant.", "engineering_request"),
    ],
)
def test_cross_team_signals(assess, text, expected):
    assessment = assess(text)
    assert expected in names(assessment), (text, names(assessment))
    assert "cross_team" in categories(assessment)


@pytest.mark.parametrize(
    "text",
    ["We have a dev team of five people.", "Your billing team was very helpful, thanks!",
     "The platform team deployed the new build.", "The price stayed the same this year.",
     "How do I download the access logs?", "I changed the settings without my manager's permission, is that ok?",
     # rules-3: naming the thing is no request for the team that owns it
     "Our whole sales team has been unable to log in since 8am.", "We are on your enterprise plan.",
     "The invoice shows the wrong VAT ID.", "Thanks for sharing the post-mortem, it was very clear.",
     "Your solutions team was great last year.", "The tech team helped us a lot, thanks.",
     # the customer's own way to switch something on is a how-to
     "How do I enable the beta for our account?", "Can I enable SSO for my account myself?"],
)
def test_mentioning_a_team_or_a_price_is_no_request(assess, text):
    assert not {"engineering_request", "commercial_request", "billing_error", "compliance_paperwork",
                "security_breach"} & names(assess(text))


def test_plain_how_to_has_no_category(assess):
    assessment = assess("How do I export my contacts to CSV?")
    assert assessment.categories == ()
    assert "how_to_question" in names(assessment)


@pytest.mark.parametrize("text", [
    "Your invoice shows the wrong PO number, so our AP team rejected it.",
    "We were charged for an add-on that is not part of our order form.",
])
def test_a_paper_named_in_a_billing_complaint_is_no_commercial_request(assess, text):
    assessment = assess(text)
    assert "commercial_request" not in names(assessment), assessment.signals


def test_a_paper_asked_for_is_a_commercial_request(assess):
    assessment = assess("Please send us your W-9 and the updated order form.")
    assert "commercial_request" in names(assessment)


def test_the_rules_do_not_read_the_signature_or_the_confidentiality_notice(assess):
    text = ("Please complete the attached security questionnaire by Friday.\n\nBest regards,\nMatthias Rieger | "
            "Head of Legal\n\nThe information contained in this communication is confidential, may be "
            "attorney-client privileged, and is intended only for the addressee.")
    assessment = assess(text)
    assert {s.name for s in assessment.signals if s.category} == {"compliance_paperwork"}, assessment.signals


@pytest.mark.parametrize(("text", "signal"), [
    ("Our HR director wants a root cause before we run payroll again.", "engineering_request"),
    ("Your docs say SCIM has to be enabled by your engineering team, please enable it for us.",
     "engineering_request"),
    ("Please confirm the SLA credit for this month applies.", "refund_request"),
])
def test_requests_only_another_team_can_answer(assess, text, signal):
    assert signal in names(assess(text)), text


@pytest.mark.parametrize("text", ["Thanks for the detailed post-mortem yesterday, very helpful.",
                                  "The new dashboard was done by the product team and looks great."])
def test_a_team_or_a_report_named_without_an_ask_is_no_request(assess, text):
    assert "engineering_request" not in names(assess(text)), text


@pytest.mark.parametrize("text", [
    "If the refund is not processed by Friday, our legal team will take this further.",
    "If this is not fixed this week we will involve our lawyers.",
    "Unless the data is deleted today, our attorneys will contact you.",
])
def test_a_legal_threat_made_under_a_condition_is_a_threat(assess, text):
    assert "legal_threat" in names(assess(text))


@pytest.mark.parametrize("text", [
    "Forwarding our legal team's redlines on your Master Subscription Agreement.",
    "Our lawyers approved the DPA, we can sign it this week.",
    "If possible we would not want to involve lawyers over this.",
])
def test_lawyers_doing_contract_work_or_left_out_are_no_threat(assess, text):
    assert "legal_threat" not in names(assess(text))


@pytest.mark.parametrize("text", [
    "Your invoice INV-77 is addressed to the wrong entity, please reissue it.",
    "Can you reissue with the correct legal entity and our VAT number?",
    "There is a wrong VAT number on the invoice.",
    "A nota fiscal saiu com o CNPJ antigo da nossa filial.",
    "Pouvez-vous réémettre la facture avec notre numéro de TVA ?",
    "Bitte die Rechnung neu ausstellen, der Firmenname ist falsch.",
    "Graag een creditnota voor de maanden augustus tot en met oktober.",
])
def test_an_invoice_to_be_corrected_and_issued_again_is_a_billing_error(assess, text):
    assert "billing_error" in names(assess(text))


def test_an_invoice_the_customer_issues_to_its_own_customers_is_not_ours():
    found = {f.signal for f in message_findings("description", "customer",
                                                 "We need to correct an invoice for one of our customers.")}
    assert "billing_error" not in found


@pytest.mark.parametrize(("text", "breach"), [
    ("Pupils could see each other's marks today. This is a serious privacy issue for us and the families.", True),
    ("For our clinic this is a major data protection incident.", True),
    ("Would it be a privacy issue to keep call recordings for a year?", False),
    ("No serious security issue was found in last month's audit.", False),
])
def test_a_customer_calling_it_a_serious_privacy_or_security_issue_is_a_breach(assess, text, breach):
    assert ("security_breach" in names(assess(text))) is breach


def test_a_credit_note_asked_for_a_wrong_invoice_is_billing_not_a_commercial_request(assess):
    text = "We are holding the payment until we get a corrected invoice or a credit note for the 50 extra seats."
    assert "commercial_request" not in names(assess(text))
    assert "commercial_request" in names(assess("Could your finance team issue a credit note for our prepayment?"))


@pytest.mark.parametrize(("text", "paperwork"), [
    ("Please hurry, our external auditors arrive on Monday and the ledger is still missing July.", False),
    ("Our auditors need the access logs for Q3 by Friday.", True),
    ("Can you send something our auditors can use?", True),
])
def test_auditors_named_only_as_a_deadline_ask_for_no_paperwork(assess, text, paperwork):
    assert ("compliance_paperwork" in names(assess(text))) is paperwork


@pytest.mark.parametrize("text", [
    "We expect a service credit for the three days of downtime.",
    "Please refund us for last week's outage, our contract has an SLA.",
    "We need a credit.",
])
def test_money_asked_for_an_incident_is_billings_matter(assess, text):
    # The incident is the credit's history (billing.incidents_behind_credits): billing is the reason.
    assessment = assess(text)
    assert "billing_refund" in categories(assessment), assessment.signals
    assert "bug_incident" not in categories(assessment), assessment.signals


def test_an_incident_going_on_beside_a_credit_is_still_an_incident(assess):
    assessment = assess("The portal has been down since 9am for all our staff. We will also want a credit for it.")
    assert "bug_incident" in categories(assessment), assessment.signals
