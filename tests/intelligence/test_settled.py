"""A matter the customer's latest message says is settled: the earlier reports no longer escalate the ticket."""
from __future__ import annotations

import pytest

from sidecar.intelligence.scoring import DEFAULT_WATCH_THRESHOLD, assess_ticket

OUTAGE = "Since this morning every CSV export fails with a 500 error for all of our users."
DOUBLE_CHARGE = "We were charged twice for March, please refund one of the two payments."


def conversation(make_ticket, opening, latest, reply="We deployed a fix a few minutes ago, could you try again?"):
    comments = [("customer", opening)] + ([("agent", reply)] if reply else []) + [("customer", latest)]
    return make_ticket(opening, comments=comments)


@pytest.mark.parametrize(("opening", "latest"), [
    (OUTAGE, "Just tried, it works again. Thanks for the quick fix!"),
    (OUTAGE, "Thanks again! That did the trick."),
    (OUTAGE, "Oh, that was it, someone had switched the export format. Thanks!"),
    (OUTAGE, "Funktioniert wieder, danke!"),
    (OUTAGE, "Ça marche à nouveau, merci beaucoup."),
    (DOUBLE_CHARGE, "Got it, the refund arrived today. All good, thank you."),
    (DOUBLE_CHARGE, "Just confirming the refund of $1,240.00 showed up on our statement this morning. Thank you!"),
])
def test_a_matter_the_customer_says_is_settled_no_longer_escalates(make_ticket, now, opening, latest):
    assessment = assess_ticket(conversation(make_ticket, opening, latest), now=now)
    assert assessment.score < DEFAULT_WATCH_THRESHOLD, assessment.signals
    assert not assessment.categories


def test_the_customer_writing_again_that_it_works_settles_it_too(make_ticket, now):
    assessment = assess_ticket(conversation(make_ticket, OUTAGE, "Never mind, it works now.", reply=None), now=now)
    assert assessment.score < DEFAULT_WATCH_THRESHOLD


@pytest.mark.parametrize(("opening", "latest"), [
    (OUTAGE, "Thanks, but it still fails for the large files."),  # still going
    (OUTAGE, "Ok it works now but now the import is broken too."),  # a new problem after "but"
    (OUTAGE, "Is it fixed for everyone now?"),  # a question settles nothing
    (OUTAGE, "Works now, thanks. Can you also tell me why it happened?"),
    (DOUBLE_CHARGE, "Thanks for the update. Our lawyers will be in touch."),  # a reason of its own
    (DOUBLE_CHARGE, "That worked, thanks. We were double charged in April too though."),
    (OUTAGE, "Thanks for looking into it, we will test tomorrow."),  # thanks, but nothing said to be over
])
def test_a_latest_message_that_is_not_settled_leaves_the_reports_as_they_are(make_ticket, now, opening, latest):
    settled = assess_ticket(conversation(make_ticket, opening, latest), now=now)
    assert settled.categories, settled.signals
    assert settled.score >= DEFAULT_WATCH_THRESHOLD


def test_the_opening_message_settles_nothing_by_itself(make_ticket, now):
    # Zendesk repeats the description as the first comment; "works now" there is the customer's report itself.
    text = "The export failed all morning. It works now but we lost two hours of orders."
    assessment = assess_ticket(make_ticket(text, comments=[("customer", text)]), now=now)
    assert assessment.categories


HOW_TO = "How do I give our finance team read-only access to the invoices without making them admins?"
ANSWER = "Under Settings > Roles, create a role with 'Invoices: view' only and assign it to them."


@pytest.mark.parametrize("latest", [
    "Got it, that's exactly what I needed. Thanks!",
    "Deu certo, obrigada!",
    "Haan, mil gaya. Done, thanks!",
    "Verstanden, danke.",
    "Merci, c'est très clair.",
    "Perfecto, está muy claro, gracias.",
    "Done, kaam kar raha hai. Thanks!",
    # recovery and courtesy words are no "again" or "not" of a matter going on
    "That was it - it was an SVG our designer sent. PNG works, the PDFs look right again. Thanks!",
    "Done, he's in. Didn't know I could do that, thanks.",
])
def test_a_reply_saying_the_answer_served_settles_the_question(make_ticket, now, latest):
    ticket = make_ticket(OUTAGE, comments=[("customer", OUTAGE), ("agent", ANSWER), ("customer", latest)])
    assessment = assess_ticket(ticket, now=now)
    assert assessment.score < DEFAULT_WATCH_THRESHOLD, assessment.signals
    assert not assessment.categories


@pytest.mark.parametrize("latest", [
    "Got it, keep me posted.",  # waits for more: nothing answered yet
    "Thanks.",  # a bare thank-you also answers "we are looking into it"
    "Got it, but the export still fails for the big files.",
    "Understood. When will the fix be live?",
    "Thanks. Last night's run took 7h40. Please push for the rollback.",  # a request of its own
    "Sunil's available Thursday 2-5pm UK time if that helps.",  # offering help is no answer served
])
def test_an_acknowledgement_that_waits_for_more_settles_nothing(make_ticket, now, latest):
    reply = "We are looking into it and will update you."
    ticket = make_ticket(OUTAGE, comments=[("customer", OUTAGE), ("agent", reply), ("customer", latest)])
    assessment = assess_ticket(ticket, now=now)
    assert assessment.categories, assessment.signals
    assert assessment.score >= DEFAULT_WATCH_THRESHOLD


def test_an_acknowledgement_with_no_answer_before_it_settles_nothing(make_ticket, now):
    # The customer writing again "got it" (to themselves, or to a colleague in copy) answers no one's question.
    ticket = make_ticket(OUTAGE, comments=[("customer", OUTAGE), ("customer", "Got it, thanks.")])
    assert assess_ticket(ticket, now=now).categories


@pytest.mark.parametrize("text", [
    "Quick question: could you raise our API rate limit for Black Friday? Last year we hit 429s all morning and "
    "lost orders.",
    "Können Sie unser Limit erhöhen? Letztes Jahr sind uns dadurch Bestellungen verloren gegangen.",
])
def test_a_matter_placed_months_or_years_back_is_history_told_as_a_reason(make_ticket, now, text):
    assessment = assess_ticket(make_ticket(text), now=now)
    assert "bug_incident" not in [c.name for c in assessment.categories], assessment.signals


@pytest.mark.parametrize("text", [
    "Since last year the export fails every week.",
    "Last month we were double charged and it happened again this month.",
])
def test_a_matter_from_back_then_that_goes_on_still_counts(make_ticket, now, text):
    assert assess_ticket(make_ticket(text), now=now).categories


def test_an_only_message_taking_its_question_back_settles_it(make_ticket, now):
    ticket = make_ticket("Pls ignore my last email about the missing invoices - found them, they were filtered under "
                         "the other entity. Sorry!", subject="please ignore")
    assessment = assess_ticket(ticket, now=now)
    assert not assessment.categories, assessment.signals
    assert assessment.score < DEFAULT_WATCH_THRESHOLD


def test_taking_one_question_back_while_raising_another_settles_nothing(make_ticket, now):
    ticket = make_ticket("Please ignore my last email, but the export still fails with a 500 error for all users.")
    assert assess_ticket(ticket, now=now).categories


@pytest.mark.parametrize("latest", ["Sí, ya aparecen los datos correctamente. ¡Gracias!",
                                    "Oui, tout s'affiche correctement maintenant, merci."])
def test_shown_correctly_now_settles_in_the_other_languages(make_ticket, now, latest):
    ticket = make_ticket(OUTAGE, comments=[("customer", OUTAGE), ("agent", "Could you reload the page?"),
                                           ("customer", latest)])
    assert not assess_ticket(ticket, now=now).categories


def test_a_word_ending_in_nt_is_no_contraction(make_ticket, now):
    # "payment" once read as "n't": the settled reply below counted as still going.
    latest = "Thanks, the refund for the duplicate payment arrived today."
    ticket = make_ticket(DOUBLE_CHARGE, comments=[("customer", DOUBLE_CHARGE), ("agent", "Refunded."),
                                                  ("customer", latest)])
    assert not assess_ticket(ticket, now=now).categories


@pytest.mark.parametrize("latest", [
    "Neuer Export ist da, alle Kostenstellen sind korrekt. Vielen Dank, das Ticket kann geschlossen werden.",
    "Ora le email arrivano regolarmente. Grazie per l'aiuto, potete chiudere.",
    "Listo, ya funciona todo. Pueden cerrar el ticket, gracias.",
    "The firewall rule was the cause and our network team changed it. We're good, thanks.",
    "Depois do ajuste, os pedidos voltaram a entrar normalmente. Obrigada!",
])
def test_a_customer_closing_the_ticket_in_their_words_settles_it(make_ticket, now, latest):
    ticket = make_ticket(OUTAGE, comments=[("customer", OUTAGE), ("agent", "We changed a setting, please retry."),
                                           ("customer", latest)])
    assessment = assess_ticket(ticket, now=now)
    assert not assessment.categories, assessment.signals
    assert assessment.score < DEFAULT_WATCH_THRESHOLD


def test_closing_an_account_is_not_closing_the_ticket(make_ticket, now):
    latest = "Ya funciona, pero podéis cerrar mi cuenta, nos vamos a otro proveedor."
    ticket = make_ticket(DOUBLE_CHARGE, comments=[("customer", DOUBLE_CHARGE), ("agent", "Refunded."),
                                                  ("customer", latest)])
    assert assess_ticket(ticket, now=now).categories


def test_telling_the_settled_matter_again_is_no_new_reason_but_a_new_matter_is(make_ticket, now):
    # The latest message retells the export it settles: a bug again, the same matter. A refund it asks for is new.
    settled = "The export runs again and all rows are there now, thanks, you can close the ticket."
    ticket = make_ticket(OUTAGE, comments=[("customer", OUTAGE), ("agent", "Fixed."), ("customer", settled)])
    assert not assess_ticket(ticket, now=now).categories
    new = "The export runs again, thanks. We were also charged twice for March, please refund one payment."
    ticket = make_ticket(OUTAGE, comments=[("customer", OUTAGE), ("agent", "Fixed."), ("customer", new)])
    assert "billing_refund" in {c.name for c in assess_ticket(ticket, now=now).categories}


def test_it_stopped_again_in_hinglish_reopens_the_matter(make_ticket, now):
    # "band ho gaya" is "it stopped": no acknowledgement, though "ho gaya" alone means "done".
    opening = "Courier integration kal se down hai, labels generate nahi ho rahe, 900 orders pending."
    comments = [("customer", opening), ("agent", "Token refresh kar diya hai."), ("customer", "Haan ho gaya, thanks."),
                ("agent", "Great!"), ("customer", "Phir se band ho gaya yaar, same error, ab 1,300 orders pending.")]
    assessment = assess_ticket(make_ticket(opening, comments=comments), now=now)
    assert "bug_incident" in {c.name for c in assessment.categories}



@pytest.mark.parametrize("subject", ["Re: timeouts from Frankfurt", "AW: Timeouts aus Frankfurt", "RE[2]: timeouts"])
def test_a_mail_replying_to_our_answer_that_says_it_is_fixed_settles_its_subject(make_ticket, now, subject):
    text = ("Switching to the regional endpoint fixed the timeouts completely, p99 went from 4s to 180ms. Closing this "
            "on our side, thanks a lot!")
    assessment = assess_ticket(make_ticket(text, subject=subject), now=now)
    assert not assessment.categories, assessment.signals
    assert assessment.score < DEFAULT_WATCH_THRESHOLD


@pytest.mark.parametrize(("subject", "text"), [
    ("Re: timeouts from Frankfurt", "The regional endpoint did not help, every call still times out after 30s."),
    ("Fwd: timeouts from Frankfurt", "Switching to the regional endpoint fixed the timeouts for us, thanks! "
                                     "Forwarding what our partner sees: every call from Frankfurt times out."),
])
def test_a_reply_still_broken_or_a_forward_is_not_settled(make_ticket, now, subject, text):
    assert "bug_incident" in [c.name for c in assess_ticket(make_ticket(text, subject=subject), now=now).categories]
