/** Case events for the escalation sidecar: new Case comments. */
trigger CaseCommentEscalationTrigger on CaseComment(after insert) {
    CaseEventDispatcher.commentsInserted(Trigger.new);
}
