/** Case events for the escalation sidecar: new Cases, and Status or IsClosed changes. */
trigger CaseEscalationTrigger on Case(after insert, after update) {
    CaseEventDispatcher.casesSaved(Trigger.new, Trigger.oldMap);
}
