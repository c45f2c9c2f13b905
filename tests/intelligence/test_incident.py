"""Bugs and incidents rank high; cosmetic issues, feature wishes and chores rank low."""
from __future__ import annotations

import pytest

# What the rules find and quote, without the semantic layer (see conftest.rules_only).
pytestmark = pytest.mark.usefixtures("rules_only")


def names(assessment):
    return {s.name for s in assessment.signals}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Our production site is down for everyone.", "outage"),
        ("We are getting 503 Service Unavailable on every request.", "outage"),
        ("All our emails from last week were deleted.", "data_loss"),
        ("We lost all our contacts after the import.", "data_loss"),
        ("The desktop app crashes on startup.", "crash_or_hang"),
        ("The page hangs forever and the browser becomes unresponsive.", "crash_or_hang"),
        ("This worked yesterday, broken since the update.", "regression"),
        ("Exports stopped working after upgrading to 4.2.", "regression"),
        ("java.lang.NullPointerException at com.acme.Sync.run(Sync.java:42)", "error_trace"),
        ("The request fails with HTTP 500 and error code 0x80070005.", "error_trace"),
        ("There is an XSS vulnerability in the comment field.", "security_vulnerability"),
        ("Users can see other customers' tickets in the portal.", "security_vulnerability"),
        ("None of our agents can log in.", "broad_impact"),
        ("The sync has been stuck for 6 hours.", "malfunction"),
        ("Our webhooks stopped firing yesterday.", "malfunction"),
        ("Users keep getting logged out every few minutes.", "malfunction"),
        ("Emails are not being delivered to our customers.", "malfunction"),
        ("Our 2FA codes are not arriving.", "malfunction"),
        ("We get a 403 Forbidden when calling the API.", "error_trace"),
        # a wrong result told as what the product did
        ("Invoices generated since Monday show VAT at 0% instead of 20%.", "malfunction"),
        ("The management fee line appears twice on every statement.", "malfunction"),
        ("The second approval step just isn't happening any more.", "malfunction"),
        ("New hires are not being added to the onboarding course automatically anymore.", "malfunction"),
        ("Overtime is no longer calculated for part-time staff.", "malfunction"),
        ("It looks like the console counts fail-safe bytes twice.", "malfunction"),
        # reach with an inability
        ("About 1,300 learners can't watch course videos since Monday.", "malfunction"),
        ("Our 40 agents can't see incoming chats.", "malfunction"),
        ("That's 3,214 employees who will not be paid on Friday.", "malfunction"),
        ("23 suppliers have now been invited and none of them has received an email.", "malfunction"),
        ("About 1,900 POs haven't reached SAP since the 28th.", "malfunction"),
    ],
)
def test_incident_signals(assess, text, expected):
    assessment = assess(text)
    assert expected in names(assessment), (text, names(assessment))
    assert "bug_incident" in {c.name for c in assessment.categories}


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("No data was lost, the sync just paused.", "data_loss"),
        ("The app did not crash this time, it just showed a warning.", "crash_or_hang"),
        ("Please freeze my card while I look for it.", "crash_or_hang"),
        ("Sorry, I had to hang up the call.", "crash_or_hang"),
        ("We have 500 users on the Growth plan.", "outage"),
        ("The button disappeared from the toolbar.", "data_loss"),
        ("How do I show the total instead of the average?", "malfunction"),
        ("We were charged twice this month.", "malfunction"),  # a double charge is billing's
        ("I'd like to double check the settings before go-live.", "malfunction"),
        ("We have 500 users and they can't wait for the new release!", "broad_impact"),
        ("We have 500 users and they can't wait for the new release!", "malfunction"),
        ("We invited 40 suppliers last week.", "malfunction"),
    ],
)
def test_incident_hard_negatives(assess, text, absent):
    assert absent not in names(assess(text)), text


def test_severe_bug_outranks_cosmetic_and_wishes(assess):
    crash = assess("Since today's update the app crashes and we lost unsaved work for all users.").score
    typo = assess("Typo on the settings page: 'recieve' should be 'receive'.").score
    wish = assess("Feature request: it would be nice to sort tickets by color.").score
    docs = assess("The documentation has a dead link to the API reference.").score
    chore = assess("Port the upstream cleanup to our branch and remove unused code.").score
    assert crash > 0.6
    assert max(typo, wish, docs, chore) < 0.15 < crash


def test_evidence_quotes_the_sentence(assess):
    outage = next(s for s in assess("Hello. Our production site is down! Please help.").signals if s.name == "outage")
    assert outage.evidence == 'description: "Our production site is down!"'


@pytest.mark.parametrize(
    "text",
    ["I was stuck in traffic this morning.", "I'm stuck, how do I add a user?",
     "The approval has been pending since Monday with our finance team."],
)
def test_being_stuck_is_an_incident_only_for_a_system(assess, text):
    assert "bug_incident" not in {c.name for c in assess(text).categories}


def test_a_lasting_failure_counts_as_an_incident(assess):
    assert "bug_incident" in {c.name for c in assess("The export job has been stuck for two days.").categories}


@pytest.mark.parametrize(
    "text",
    [
        "About 4,000 invoices were generated with the wrong amount.",
        "All 900 seats are locked out since 8am.",
        "Thousands of payslips went out with the wrong tax code.",
        "We lost $40k in orders yesterday because checkout failed.",
        "Roughly 250 customers did not receive their order confirmations.",
    ],
)
def test_impact_stated_as_numbers_is_reach_without_a_category_of_its_own(assess, text):
    assessment = assess(text)
    reach = [s for s in assessment.signals if s.name == "broad_impact"]
    assert reach and reach[0].category is None, text


@pytest.mark.parametrize(
    "text",
    [
        "We have 500 users on the Growth plan.",  # a number, nothing failed
        "2 users cannot log in.",  # a detail, not reach
        "We were double charged and want the $4,800 refunded.",  # the customer's money: a billing matter
        "We process about 3,000 orders a day with your API.",
    ],
)
def test_numbers_that_are_not_impact_are_not_reach(assess, text):
    assert "broad_impact" not in names(assess(text)), text


def test_a_hypothetical_number_counts_less(assess):
    reach = {s.name: s.contribution for s in assess("If 300 users ever got locked out, what happens?").signals}
    stated = {s.name: s.contribution for s in assess("300 users got locked out this morning.").signals}
    assert reach.get("broad_impact", 0.0) < stated["broad_impact"]


def outage_strength(assessment):
    return max((s.contribution for s in assessment.signals if s.name == "outage"), default=0.0)


@pytest.mark.parametrize(
    "past",
    ["Please send the board a report on the export outage of 3 May.",
     "Can we get a credit note for the January outage?",
     "Since the sync outage back in March everything has been stable, thanks.",
     "We still need the RCA for last Thursday's outage."],
)
def test_an_outage_named_by_its_date_is_a_past_one(assess, past):
    now = "Our export has an outage, nothing loads for any of our users."
    assert 0.0 < outage_strength(assess(past)) < 0.5 * outage_strength(assess(now))


@pytest.mark.parametrize(
    "text",
    ["There is an outage right now and we may lose orders.", "We may have a complete outage on our hands.",
     "Yesterday's outage is still not fixed, nothing loads."],
)
def test_a_current_outage_is_not_mistaken_for_a_dated_one(assess, text):
    assert outage_strength(assess(text)) >= outage_strength(assess("We have an outage, please help."))


@pytest.mark.parametrize(
    ("text", "flaw"),
    [("The API documentation for webhooks is wrong about the retry header.", True),
     ("Please update the docs, the screenshots are out of date.", True),
     ("Typo in the help page for exports.", True),
     ("As advised in your docs we changed the password policy, and now no student can log in.", False),
     ("I followed the documentation and the import still fails for every file.", False)],
)
def test_documentation_lowers_a_ticket_only_when_it_is_what_is_wrong(assess, text, flaw):
    assert ("cosmetic_or_docs" in names(assess(text))) is flaw


@pytest.mark.parametrize("text", ["Nobody in the company can log in since the certificate expired.",
                                  "No one on our team is able to sign in this morning."])
def test_everyone_locked_out_is_an_outage(assess, text):
    assert "outage" in names(assess(text))
    assert "bug_incident" in {c.name for c in assess(text).categories}


def test_nobody_able_to_explain_is_no_reach(assess):
    assert "broad_impact" not in names(assess("Nobody can tell me why the invoice is wrong."))


@pytest.mark.parametrize("text", ["We want to invite our entire team to the new workspace.",
                                  "Everyone on our team loves the new editor.",
                                  "All of our users need SSO next quarter.",
                                  "So many emails from your onboarding today!"])
def test_reach_without_a_failure_is_no_incident(assess, text):
    assessment = assess(text)
    assert "broad_impact" not in names(assessment)
    assert assessment.categories == ()


@pytest.mark.parametrize("text", ["The whole team is locked out.", "None of our agents can log in.",
                                  "Everyone gets a 502 when opening the dashboard."])
def test_reach_where_something_fails_is_an_incident(assess, text):
    assert "bug_incident" in {c.name for c in assess(text).categories}


def test_a_version_number_ends_no_sentence_and_names_the_change(assess):
    assessment = assess("312 stores can't print receipts since the 6.4 update.")
    assert "regression" in names(assessment)
    evidence = next(s.evidence for s in assessment.signals if s.name == "broad_impact")
    assert "since the 6.4 update." in evidence


@pytest.mark.parametrize("text", ["Our integration stopped posting to Salesforce two weeks ago.",
                                  "It's only been 11 days since our exports broke.",
                                  "62 of our 410 employees did not receive their payslip email.",
                                  "Since Friday the orders no longer appear in the dashboard.",
                                  "Third outage this week.", "This is the 2nd incident in 10 days."])
def test_failures_said_plainly_are_incidents(assess, text):
    assert "bug_incident" in {c.name for c in assess(text).categories}, text


@pytest.mark.parametrize(("text", "reported"), [
    ("2,300 user profiles from our tenant were reachable through a public share link for six hours.", True),
    ("Our export bucket was left publicly readable by your setup wizard.", True),
    ("Can we make the dashboard publicly accessible?", False),
])
def test_data_left_open_is_a_breach_and_a_security_bug_when_reported(assess, text, reported):
    categories = {c.name for c in assess(text).categories}
    assert ({"bug_incident", "compliance_security"} <= categories) is reported, categories


def test_access_rules_the_product_does_not_enforce_are_a_security_bug(assess):
    text = "She can see every salary under Reports, which the read-only role is supposed to hide."
    assert "security_vulnerability" in names(assess(text))


def test_the_third_time_asking_is_no_outage(assess):
    assert "outage" not in names(assess("Third time this month I am asking for the invoice."))


@pytest.mark.parametrize("text", ["The Save button is misaligned on the settings page in Firefox.",
                                  "Tiny thing: the tooltip on the export button has a typo since the last release."])
def test_a_cosmetic_flaw_is_no_category_and_no_escalation(assess, text):
    assessment = assess(text)
    assert "bug_incident" not in {c.name for c in assessment.categories}, assessment.signals
    assert assessment.recommendation != "escalate"


def test_a_security_hole_beside_a_cosmetic_note_is_still_a_bug(assess):
    text = "Tiny thing: in the export we can see other customers' data."
    assert "bug_incident" in {c.name for c in assess(text).categories}


def test_a_small_thing_is_the_customers_modesty_not_a_cosmetic_flaw(assess):
    text = ("Sorry, this is probably a small thing. None of our 14 offices can see tomorrow's bookings in the "
            "calendar, the day is empty.")
    assert "cosmetic_or_docs" not in names(assess(text))


@pytest.mark.parametrize("text", ["Can you send the quote so we can raise the PO before our year-end freeze?",
                                  "We are in a code freeze until January, so no deployments on our side.",
                                  "She asked for all her personal data to be deleted from our systems."])
def test_a_calendar_freeze_or_an_erasure_asked_for_is_no_incident(assess, text):
    assert not {"crash_or_hang", "data_loss"} & names(assess(text))


@pytest.mark.parametrize("text", ["The app freezes every time we open the payroll run.",
                                  "All our contacts were deleted overnight."])
def test_a_freeze_or_a_deletion_that_happened_still_is_one(assess, text):
    assert {"crash_or_hang", "data_loss"} & names(assess(text))


@pytest.mark.parametrize("text", [
    "Our reception teams at all 14 clinics can't see any of tomorrow's bookings in the calendar.",
    "All of our branches cannot open the schedule since 8am.",
])
def test_sites_that_cannot_see_what_the_product_holds_for_them_are_reach_and_an_outage(assess, text):
    assessment = assess(text)
    assert {"broad_impact", "outage"} <= names(assessment), assessment.signals
    assert "bug_incident" in {c.name for c in assessment.categories}


@pytest.mark.parametrize(("text", "regression"), [
    ("I taught at Westfield until June and I no longer work there. Please delete my account.", False),
    ("She worked for us until July, please remove her seat.", False),
    ("He used to work in our Leeds office; can you move his reports to Priya?", False),
    ("The calendar sync no longer works since Friday.", True),
    ("It worked fine until yesterday's release.", True),
])
def test_a_person_who_no_longer_works_somewhere_is_no_regression(assess, text, regression):
    assert ("regression" in names(assess(text))) is regression
