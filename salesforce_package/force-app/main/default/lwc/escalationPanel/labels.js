// Every string the escalation panel shows, from custom labels (CustomLabels.labels-meta.xml).
// Values with {0}, {1} are filled in by format() in the panel.

import PANEL_TITLE from '@salesforce/label/c.Escalation_Panel_Title';
import LOADING from '@salesforce/label/c.Escalation_Loading';
import REASSESSING from '@salesforce/label/c.Escalation_Reassessing';
import REFRESH from '@salesforce/label/c.Escalation_Refresh';
import NO_CASE from '@salesforce/label/c.Escalation_No_Case';
import ERROR_TITLE from '@salesforce/label/c.Escalation_Error_Title';
import ERROR_UNKNOWN from '@salesforce/label/c.Escalation_Error_Unknown';
import RETRY from '@salesforce/label/c.Escalation_Retry';
import DISMISS from '@salesforce/label/c.Escalation_Dismiss';
import ASSESSMENT_HEADING from '@salesforce/label/c.Escalation_Assessment_Heading';
import SCORE_LABEL from '@salesforce/label/c.Escalation_Score_Label';
import SCORE_VALUE from '@salesforce/label/c.Escalation_Score_Value';
import LEVEL_LABEL from '@salesforce/label/c.Escalation_Level_Label';
import RECOMMENDATION_LABEL from '@salesforce/label/c.Escalation_Recommendation_Label';
import WHY_HEADING from '@salesforce/label/c.Escalation_Why_Heading';
import NO_REASONS from '@salesforce/label/c.Escalation_No_Reasons';
import EVIDENCE_LABEL from '@salesforce/label/c.Escalation_Evidence_Label';
import CATEGORIES_HEADING from '@salesforce/label/c.Escalation_Categories_Heading';
import NO_CATEGORIES from '@salesforce/label/c.Escalation_No_Categories';
import CONFIDENCE from '@salesforce/label/c.Escalation_Confidence';
import RATE_QUESTION from '@salesforce/label/c.Escalation_Rate_Question';
import RATE_RIGHT from '@salesforce/label/c.Escalation_Rate_Right';
import RATE_WRONG from '@salesforce/label/c.Escalation_Rate_Wrong';
import RATE_THANKS from '@salesforce/label/c.Escalation_Rate_Thanks';
import ROUTE_HEADING from '@salesforce/label/c.Escalation_Route_Heading';
import TEAM_LABEL from '@salesforce/label/c.Escalation_Team_Label';
import EXPERT_LABEL from '@salesforce/label/c.Escalation_Expert_Label';
import NO_TEAM from '@salesforce/label/c.Escalation_No_Team';
import NO_EXPERT from '@salesforce/label/c.Escalation_No_Expert';
import AVAILABLE_NOW from '@salesforce/label/c.Escalation_Available_Now';
import NOT_AVAILABLE_NOW from '@salesforce/label/c.Escalation_Not_Available_Now';
import ALTERNATIVES_HEADING from '@salesforce/label/c.Escalation_Alternatives_Heading';
import NO_ALTERNATIVES from '@salesforce/label/c.Escalation_No_Alternatives';
import CHOOSE_ALTERNATIVE from '@salesforce/label/c.Escalation_Choose_Alternative';
import SIMILAR_HEADING from '@salesforce/label/c.Escalation_Similar_Heading';
import SIMILAR_NONE from '@salesforce/label/c.Escalation_Similar_None';
import SIMILAR_STATUS from '@salesforce/label/c.Escalation_Similar_Status';
import SIMILAR_RESOLUTION from '@salesforce/label/c.Escalation_Similar_Resolution';
import SIMILAR_SOLVED_BY from '@salesforce/label/c.Escalation_Similar_Solved_By';
import SIMILAR_ASSIGNED_TO from '@salesforce/label/c.Escalation_Similar_Assigned_To';
import SIMILAR_MATCH from '@salesforce/label/c.Escalation_Similar_Match';
import KIND_JIRA_ISSUE from '@salesforce/label/c.Escalation_Kind_Jira_Issue';
import KIND_TICKET from '@salesforce/label/c.Escalation_Kind_Ticket';
import OPENS_NEW_TAB from '@salesforce/label/c.Escalation_Opens_New_Tab';
import ESCALATE_BUTTON from '@salesforce/label/c.Escalation_Escalate_Button';
import PREVIEW_HEADING from '@salesforce/label/c.Escalation_Preview_Heading';
import PREVIEW_LOADING from '@salesforce/label/c.Escalation_Preview_Loading';
import SUMMARY_LABEL from '@salesforce/label/c.Escalation_Summary_Label';
import SUMMARY_HINT from '@salesforce/label/c.Escalation_Summary_Hint';
import NOTE_LABEL from '@salesforce/label/c.Escalation_Note_Label';
import NOTE_HINT from '@salesforce/label/c.Escalation_Note_Hint';
import TEAM_PLACEHOLDER from '@salesforce/label/c.Escalation_Team_Placeholder';
import TEAM_SUGGESTED from '@salesforce/label/c.Escalation_Team_Suggested';
import EXPERT_BEST from '@salesforce/label/c.Escalation_Expert_Best';
import LINK_LEGEND from '@salesforce/label/c.Escalation_Link_Legend';
import LINK_NEW from '@salesforce/label/c.Escalation_Link_New';
import LINK_EXISTING from '@salesforce/label/c.Escalation_Link_Existing';
import PRIORITY_LABEL from '@salesforce/label/c.Escalation_Priority_Label';
import LABELS_LABEL from '@salesforce/label/c.Escalation_Labels_Label';
import DESCRIPTION_LABEL from '@salesforce/label/c.Escalation_Description_Label';
import SLACK_PREVIEW_LABEL from '@salesforce/label/c.Escalation_Slack_Preview_Label';
import NONE_VALUE from '@salesforce/label/c.Escalation_None_Value';
import CONFIRM from '@salesforce/label/c.Escalation_Confirm';
import CONFIRMING from '@salesforce/label/c.Escalation_Confirming';
import CANCEL from '@salesforce/label/c.Escalation_Cancel';
import ESCALATION_HEADING from '@salesforce/label/c.Escalation_Escalation_Heading';
import STATUS_LABEL from '@salesforce/label/c.Escalation_Status_Label';
import DRY_RUN from '@salesforce/label/c.Escalation_Dry_Run';
import JIRA_LABEL from '@salesforce/label/c.Escalation_Jira_Label';
import SLACK_LABEL from '@salesforce/label/c.Escalation_Slack_Label';
import OPEN_SLACK from '@salesforce/label/c.Escalation_Open_Slack';
import ACKNOWLEDGED_BY from '@salesforce/label/c.Escalation_Acknowledged_By';
import NOT_ACKNOWLEDGED from '@salesforce/label/c.Escalation_Not_Acknowledged';
import STEPS_HEADING from '@salesforce/label/c.Escalation_Steps_Heading';
import ATTEMPTS from '@salesforce/label/c.Escalation_Attempts';
import STEP_ERROR from '@salesforce/label/c.Escalation_Step_Error';
import ROLLING_SUMMARY_HEADING from '@salesforce/label/c.Escalation_Rolling_Summary_Heading';
import NO_SUMMARY from '@salesforce/label/c.Escalation_No_Summary';
import TIMELINE_HEADING from '@salesforce/label/c.Escalation_Timeline_Heading';
import NO_TIMELINE from '@salesforce/label/c.Escalation_No_Timeline';
import RESOLVED_HEADING from '@salesforce/label/c.Escalation_Resolved_Heading';
import RESOLUTION_LABEL from '@salesforce/label/c.Escalation_Resolution_Label';
import DRAFTED_REPLY_HEADING from '@salesforce/label/c.Escalation_Drafted_Reply_Heading';
import NO_DRAFTED_REPLY from '@salesforce/label/c.Escalation_No_Drafted_Reply';
import COPY_REPLY from '@salesforce/label/c.Escalation_Copy_Reply';
import COPIED from '@salesforce/label/c.Escalation_Copied';
import COPY_FAILED from '@salesforce/label/c.Escalation_Copy_Failed';
import LIVE_ASSESSED from '@salesforce/label/c.Escalation_Live_Assessed';
import LIVE_PREVIEW_READY from '@salesforce/label/c.Escalation_Live_Preview_Ready';
import LIVE_ESCALATING from '@salesforce/label/c.Escalation_Live_Escalating';
import LIVE_STEP_CHANGED from '@salesforce/label/c.Escalation_Live_Step_Changed';
import LIVE_RESOLVED from '@salesforce/label/c.Escalation_Live_Resolved';
import LIVE_RATED from '@salesforce/label/c.Escalation_Live_Rated';
import TOAST_ESCALATED_TITLE from '@salesforce/label/c.Escalation_Toast_Escalated_Title';
import TOAST_ESCALATED_MESSAGE from '@salesforce/label/c.Escalation_Toast_Escalated_Message';
import TOAST_FAILED_TITLE from '@salesforce/label/c.Escalation_Toast_Failed_Title';
import LEVEL_LOW from '@salesforce/label/c.Escalation_Level_Low';
import LEVEL_MEDIUM from '@salesforce/label/c.Escalation_Level_Medium';
import LEVEL_HIGH from '@salesforce/label/c.Escalation_Level_High';
import LEVEL_CRITICAL from '@salesforce/label/c.Escalation_Level_Critical';
import RECOMMENDATION_ESCALATE from '@salesforce/label/c.Escalation_Recommendation_Escalate';
import RECOMMENDATION_WATCH from '@salesforce/label/c.Escalation_Recommendation_Watch';
import RECOMMENDATION_NONE from '@salesforce/label/c.Escalation_Recommendation_None';
import CATEGORY_BILLING_REFUND from '@salesforce/label/c.Escalation_Category_Billing_Refund';
import CATEGORY_BUG_INCIDENT from '@salesforce/label/c.Escalation_Category_Bug_Incident';
import CATEGORY_COMPLIANCE_SECURITY from '@salesforce/label/c.Escalation_Category_Compliance_Security';
import CATEGORY_CROSS_TEAM from '@salesforce/label/c.Escalation_Category_Cross_Team';
import CATEGORY_HIGH_VALUE_CUSTOMER from '@salesforce/label/c.Escalation_Category_High_Value_Customer';
import CATEGORY_HUMAN_REQUESTED from '@salesforce/label/c.Escalation_Category_Human_Requested';
import SIGNAL_ASKS_FOR_HUMAN from '@salesforce/label/c.Escalation_Signal_Asks_For_Human';
import SIGNAL_REJECTS_AUTOMATED_HELP from '@salesforce/label/c.Escalation_Signal_Rejects_Automated_Help';
import SIGNAL_ASKS_FOR_CALL_OR_CONTACT from '@salesforce/label/c.Escalation_Signal_Asks_For_Call_Or_Contact';
import SIGNAL_ASKS_FOR_ESCALATION from '@salesforce/label/c.Escalation_Signal_Asks_For_Escalation';
import SIGNAL_FRUSTRATION_LANGUAGE from '@salesforce/label/c.Escalation_Signal_Frustration_Language';
import SIGNAL_SHOUTING_OR_PROFANITY from '@salesforce/label/c.Escalation_Signal_Shouting_Or_Profanity';
import SIGNAL_UNRESOLVED_OR_RECURRING from '@salesforce/label/c.Escalation_Signal_Unresolved_Or_Recurring';
import SIGNAL_FRUSTRATION_RISING from '@salesforce/label/c.Escalation_Signal_Frustration_Rising';
import SIGNAL_URGENCY_LANGUAGE from '@salesforce/label/c.Escalation_Signal_Urgency_Language';
import SIGNAL_REPEATED_REPLIES from '@salesforce/label/c.Escalation_Signal_Repeated_Replies';
import SIGNAL_CUSTOMER_REPEATING_THEMSELVES from '@salesforce/label/c.Escalation_Signal_Customer_Repeating_Themselves';
import SIGNAL_OUTAGE from '@salesforce/label/c.Escalation_Signal_Outage';
import SIGNAL_DATA_LOSS from '@salesforce/label/c.Escalation_Signal_Data_Loss';
import SIGNAL_CRASH_OR_HANG from '@salesforce/label/c.Escalation_Signal_Crash_Or_Hang';
import SIGNAL_REGRESSION from '@salesforce/label/c.Escalation_Signal_Regression';
import SIGNAL_ERROR_TRACE from '@salesforce/label/c.Escalation_Signal_Error_Trace';
import SIGNAL_SECURITY_VULNERABILITY from '@salesforce/label/c.Escalation_Signal_Security_Vulnerability';
import SIGNAL_BROAD_IMPACT from '@salesforce/label/c.Escalation_Signal_Broad_Impact';
import SIGNAL_MALFUNCTION from '@salesforce/label/c.Escalation_Signal_Malfunction';
import SIGNAL_REFUND_REQUEST from '@salesforce/label/c.Escalation_Signal_Refund_Request';
import SIGNAL_BILLING_ERROR from '@salesforce/label/c.Escalation_Signal_Billing_Error';
import SIGNAL_CHARGEBACK_OR_DISPUTE from '@salesforce/label/c.Escalation_Signal_Chargeback_Or_Dispute';
import SIGNAL_CANCELLATION_REQUEST from '@salesforce/label/c.Escalation_Signal_Cancellation_Request';
import SIGNAL_SECURITY_BREACH from '@salesforce/label/c.Escalation_Signal_Security_Breach';
import SIGNAL_PRIVACY_REQUEST from '@salesforce/label/c.Escalation_Signal_Privacy_Request';
import SIGNAL_COMPLIANCE_PAPERWORK from '@salesforce/label/c.Escalation_Signal_Compliance_Paperwork';
import SIGNAL_LEGAL_THREAT from '@salesforce/label/c.Escalation_Signal_Legal_Threat';
import SIGNAL_ENGINEERING_REQUEST from '@salesforce/label/c.Escalation_Signal_Engineering_Request';
import SIGNAL_COMMERCIAL_REQUEST from '@salesforce/label/c.Escalation_Signal_Commercial_Request';
import SIGNAL_PREMIUM_TIER from '@salesforce/label/c.Escalation_Signal_Premium_Tier';
import SIGNAL_HIGH_ARR from '@salesforce/label/c.Escalation_Signal_High_Arr';
import SIGNAL_RENEWAL_SOON from '@salesforce/label/c.Escalation_Signal_Renewal_Soon';
import SIGNAL_CHURN_THREAT from '@salesforce/label/c.Escalation_Signal_Churn_Threat';
import SIGNAL_REOPENED from '@salesforce/label/c.Escalation_Signal_Reopened';
import SIGNAL_LONG_BACK_AND_FORTH from '@salesforce/label/c.Escalation_Signal_Long_Back_And_Forth';
import SIGNAL_CUSTOMER_WAITING from '@salesforce/label/c.Escalation_Signal_Customer_Waiting';
import SIGNAL_PRIORITY_HIGH from '@salesforce/label/c.Escalation_Signal_Priority_High';
import SIGNAL_PRIORITY_LOW from '@salesforce/label/c.Escalation_Signal_Priority_Low';
import SIGNAL_FEATURE_REQUEST from '@salesforce/label/c.Escalation_Signal_Feature_Request';
import SIGNAL_COSMETIC_OR_DOCS from '@salesforce/label/c.Escalation_Signal_Cosmetic_Or_Docs';
import SIGNAL_MAINTENANCE_TASK from '@salesforce/label/c.Escalation_Signal_Maintenance_Task';
import SIGNAL_HOW_TO_QUESTION from '@salesforce/label/c.Escalation_Signal_How_To_Question';
import SIGNAL_CALM_OR_RESOLVED from '@salesforce/label/c.Escalation_Signal_Calm_Or_Resolved';
import SIGNAL_WHOLE_TICKET_READING from '@salesforce/label/c.Escalation_Signal_Whole_Ticket_Reading';
import STATUS_PENDING from '@salesforce/label/c.Escalation_Status_Pending';
import STATUS_DELIVERED from '@salesforce/label/c.Escalation_Status_Delivered';
import STATUS_FAILED from '@salesforce/label/c.Escalation_Status_Failed';
import STATUS_RESOLVED from '@salesforce/label/c.Escalation_Status_Resolved';
import STEP_JIRA_ISSUE from '@salesforce/label/c.Escalation_Step_Jira_Issue';
import STEP_JIRA_LINK from '@salesforce/label/c.Escalation_Step_Jira_Link';
import STEP_TICKET_NOTE from '@salesforce/label/c.Escalation_Step_Ticket_Note';
import STEP_SLACK_MESSAGE from '@salesforce/label/c.Escalation_Step_Slack_Message';
import STEP_STATUS_PLANNED from '@salesforce/label/c.Escalation_Step_Status_Planned';
import STEP_STATUS_RETRYING from '@salesforce/label/c.Escalation_Step_Status_Retrying';
import STEP_STATUS_DONE from '@salesforce/label/c.Escalation_Step_Status_Done';
import STEP_STATUS_DRY_RUN from '@salesforce/label/c.Escalation_Step_Status_Dry_Run';
import STEP_STATUS_SKIPPED from '@salesforce/label/c.Escalation_Step_Status_Skipped';
import STEP_STATUS_DEAD from '@salesforce/label/c.Escalation_Step_Status_Dead';
import SYSTEM_JIRA from '@salesforce/label/c.Escalation_System_Jira';
import SYSTEM_SLACK from '@salesforce/label/c.Escalation_System_Slack';
import SYSTEM_ZENDESK from '@salesforce/label/c.Escalation_System_Zendesk';
import SYSTEM_SALESFORCE from '@salesforce/label/c.Escalation_System_Salesforce';
import SYSTEM_SIDECAR from '@salesforce/label/c.Escalation_System_Sidecar';
import EVENT_ESCALATED from '@salesforce/label/c.Escalation_Event_Escalated';
import EVENT_ACKNOWLEDGED from '@salesforce/label/c.Escalation_Event_Acknowledged';
import EVENT_ACK_TIMEOUT from '@salesforce/label/c.Escalation_Event_Ack_Timeout';
import EVENT_COMMENT from '@salesforce/label/c.Escalation_Event_Comment';
import EVENT_CUSTOMER_COMMENT from '@salesforce/label/c.Escalation_Event_Customer_Comment';
import EVENT_STATUS_CHANGED from '@salesforce/label/c.Escalation_Event_Status_Changed';
import EVENT_RESOLVED from '@salesforce/label/c.Escalation_Event_Resolved';
import EVENT_REOPENED from '@salesforce/label/c.Escalation_Event_Reopened';
import EVENT_STABLE from '@salesforce/label/c.Escalation_Event_Stable';
import { AssessmentLevel, EscalationStatus, Recommendation, StepStatus } from 'c/escalationConstants';

export const LABELS = Object.freeze({
    panelTitle: PANEL_TITLE,
    loading: LOADING,
    reassessing: REASSESSING,
    refresh: REFRESH,
    noCase: NO_CASE,
    errorTitle: ERROR_TITLE,
    errorUnknown: ERROR_UNKNOWN,
    retry: RETRY,
    dismiss: DISMISS,
    assessmentHeading: ASSESSMENT_HEADING,
    scoreLabel: SCORE_LABEL,
    scoreValue: SCORE_VALUE,
    levelLabel: LEVEL_LABEL,
    recommendationLabel: RECOMMENDATION_LABEL,
    whyHeading: WHY_HEADING,
    noReasons: NO_REASONS,
    evidenceLabel: EVIDENCE_LABEL,
    categoriesHeading: CATEGORIES_HEADING,
    noCategories: NO_CATEGORIES,
    confidence: CONFIDENCE,
    rateQuestion: RATE_QUESTION,
    rateRight: RATE_RIGHT,
    rateWrong: RATE_WRONG,
    rateThanks: RATE_THANKS,
    routeHeading: ROUTE_HEADING,
    teamLabel: TEAM_LABEL,
    expertLabel: EXPERT_LABEL,
    noTeam: NO_TEAM,
    noExpert: NO_EXPERT,
    availableNow: AVAILABLE_NOW,
    notAvailableNow: NOT_AVAILABLE_NOW,
    alternativesHeading: ALTERNATIVES_HEADING,
    noAlternatives: NO_ALTERNATIVES,
    chooseAlternative: CHOOSE_ALTERNATIVE,
    similarHeading: SIMILAR_HEADING,
    similarNone: SIMILAR_NONE,
    similarStatus: SIMILAR_STATUS,
    similarResolution: SIMILAR_RESOLUTION,
    similarSolvedBy: SIMILAR_SOLVED_BY,
    similarAssignedTo: SIMILAR_ASSIGNED_TO,
    similarMatch: SIMILAR_MATCH,
    kindJiraIssue: KIND_JIRA_ISSUE,
    kindTicket: KIND_TICKET,
    opensNewTab: OPENS_NEW_TAB,
    escalateButton: ESCALATE_BUTTON,
    previewHeading: PREVIEW_HEADING,
    previewLoading: PREVIEW_LOADING,
    summaryLabel: SUMMARY_LABEL,
    summaryHint: SUMMARY_HINT,
    noteLabel: NOTE_LABEL,
    noteHint: NOTE_HINT,
    teamPlaceholder: TEAM_PLACEHOLDER,
    teamSuggested: TEAM_SUGGESTED,
    expertBest: EXPERT_BEST,
    linkLegend: LINK_LEGEND,
    linkNew: LINK_NEW,
    linkExisting: LINK_EXISTING,
    priorityLabel: PRIORITY_LABEL,
    labelsLabel: LABELS_LABEL,
    descriptionLabel: DESCRIPTION_LABEL,
    slackPreviewLabel: SLACK_PREVIEW_LABEL,
    noneValue: NONE_VALUE,
    confirm: CONFIRM,
    confirming: CONFIRMING,
    cancel: CANCEL,
    escalationHeading: ESCALATION_HEADING,
    statusLabel: STATUS_LABEL,
    dryRun: DRY_RUN,
    jiraLabel: JIRA_LABEL,
    slackLabel: SLACK_LABEL,
    openSlack: OPEN_SLACK,
    acknowledgedBy: ACKNOWLEDGED_BY,
    notAcknowledged: NOT_ACKNOWLEDGED,
    stepsHeading: STEPS_HEADING,
    attempts: ATTEMPTS,
    stepError: STEP_ERROR,
    rollingSummaryHeading: ROLLING_SUMMARY_HEADING,
    noSummary: NO_SUMMARY,
    timelineHeading: TIMELINE_HEADING,
    noTimeline: NO_TIMELINE,
    resolvedHeading: RESOLVED_HEADING,
    resolutionLabel: RESOLUTION_LABEL,
    draftedReplyHeading: DRAFTED_REPLY_HEADING,
    noDraftedReply: NO_DRAFTED_REPLY,
    copyReply: COPY_REPLY,
    copied: COPIED,
    copyFailed: COPY_FAILED,
    liveAssessed: LIVE_ASSESSED,
    livePreviewReady: LIVE_PREVIEW_READY,
    liveEscalating: LIVE_ESCALATING,
    liveStepChanged: LIVE_STEP_CHANGED,
    liveResolved: LIVE_RESOLVED,
    liveRated: LIVE_RATED,
    toastEscalatedTitle: TOAST_ESCALATED_TITLE,
    toastEscalatedMessage: TOAST_ESCALATED_MESSAGE,
    toastFailedTitle: TOAST_FAILED_TITLE
});

export const LEVEL_LABELS = Object.freeze({
    [AssessmentLevel.LOW]: LEVEL_LOW,
    [AssessmentLevel.MEDIUM]: LEVEL_MEDIUM,
    [AssessmentLevel.HIGH]: LEVEL_HIGH,
    [AssessmentLevel.CRITICAL]: LEVEL_CRITICAL
});

export const RECOMMENDATION_LABELS = Object.freeze({
    [Recommendation.ESCALATE]: RECOMMENDATION_ESCALATE,
    [Recommendation.WATCH]: RECOMMENDATION_WATCH,
    [Recommendation.NONE]: RECOMMENDATION_NONE
});

export const CATEGORY_LABELS = Object.freeze({
    billing_refund: CATEGORY_BILLING_REFUND,
    bug_incident: CATEGORY_BUG_INCIDENT,
    compliance_security: CATEGORY_COMPLIANCE_SECURITY,
    cross_team: CATEGORY_CROSS_TEAM,
    high_value_customer: CATEGORY_HIGH_VALUE_CUSTOMER,
    human_requested: CATEGORY_HUMAN_REQUESTED
});

export const SIGNAL_LABELS = Object.freeze({
    asks_for_human: SIGNAL_ASKS_FOR_HUMAN,
    rejects_automated_help: SIGNAL_REJECTS_AUTOMATED_HELP,
    asks_for_call_or_contact: SIGNAL_ASKS_FOR_CALL_OR_CONTACT,
    asks_for_escalation: SIGNAL_ASKS_FOR_ESCALATION,
    frustration_language: SIGNAL_FRUSTRATION_LANGUAGE,
    shouting_or_profanity: SIGNAL_SHOUTING_OR_PROFANITY,
    unresolved_or_recurring: SIGNAL_UNRESOLVED_OR_RECURRING,
    frustration_rising: SIGNAL_FRUSTRATION_RISING,
    urgency_language: SIGNAL_URGENCY_LANGUAGE,
    repeated_replies: SIGNAL_REPEATED_REPLIES,
    customer_repeating_themselves: SIGNAL_CUSTOMER_REPEATING_THEMSELVES,
    outage: SIGNAL_OUTAGE,
    data_loss: SIGNAL_DATA_LOSS,
    crash_or_hang: SIGNAL_CRASH_OR_HANG,
    regression: SIGNAL_REGRESSION,
    error_trace: SIGNAL_ERROR_TRACE,
    security_vulnerability: SIGNAL_SECURITY_VULNERABILITY,
    broad_impact: SIGNAL_BROAD_IMPACT,
    malfunction: SIGNAL_MALFUNCTION,
    refund_request: SIGNAL_REFUND_REQUEST,
    billing_error: SIGNAL_BILLING_ERROR,
    chargeback_or_dispute: SIGNAL_CHARGEBACK_OR_DISPUTE,
    cancellation_request: SIGNAL_CANCELLATION_REQUEST,
    security_breach: SIGNAL_SECURITY_BREACH,
    privacy_request: SIGNAL_PRIVACY_REQUEST,
    compliance_paperwork: SIGNAL_COMPLIANCE_PAPERWORK,
    legal_threat: SIGNAL_LEGAL_THREAT,
    engineering_request: SIGNAL_ENGINEERING_REQUEST,
    commercial_request: SIGNAL_COMMERCIAL_REQUEST,
    premium_tier: SIGNAL_PREMIUM_TIER,
    high_arr: SIGNAL_HIGH_ARR,
    renewal_soon: SIGNAL_RENEWAL_SOON,
    churn_threat: SIGNAL_CHURN_THREAT,
    reopened: SIGNAL_REOPENED,
    long_back_and_forth: SIGNAL_LONG_BACK_AND_FORTH,
    customer_waiting: SIGNAL_CUSTOMER_WAITING,
    priority_high: SIGNAL_PRIORITY_HIGH,
    priority_low: SIGNAL_PRIORITY_LOW,
    feature_request: SIGNAL_FEATURE_REQUEST,
    cosmetic_or_docs: SIGNAL_COSMETIC_OR_DOCS,
    maintenance_task: SIGNAL_MAINTENANCE_TASK,
    how_to_question: SIGNAL_HOW_TO_QUESTION,
    calm_or_resolved: SIGNAL_CALM_OR_RESOLVED,
    whole_ticket_reading: SIGNAL_WHOLE_TICKET_READING
});

export const ESCALATION_STATUS_LABELS = Object.freeze({
    [EscalationStatus.PENDING]: STATUS_PENDING,
    [EscalationStatus.DELIVERED]: STATUS_DELIVERED,
    [EscalationStatus.FAILED]: STATUS_FAILED,
    [EscalationStatus.RESOLVED]: STATUS_RESOLVED
});

export const STEP_LABELS = Object.freeze({
    jira_issue: STEP_JIRA_ISSUE,
    jira_link: STEP_JIRA_LINK,
    ticket_note: STEP_TICKET_NOTE,
    slack_message: STEP_SLACK_MESSAGE
});

export const STEP_STATUS_LABELS = Object.freeze({
    [StepStatus.PLANNED]: STEP_STATUS_PLANNED,
    [StepStatus.RETRYING]: STEP_STATUS_RETRYING,
    [StepStatus.DONE]: STEP_STATUS_DONE,
    [StepStatus.DRY_RUN]: STEP_STATUS_DRY_RUN,
    [StepStatus.SKIPPED]: STEP_STATUS_SKIPPED,
    [StepStatus.DEAD]: STEP_STATUS_DEAD
});

export const SYSTEM_LABELS = Object.freeze({
    jira: SYSTEM_JIRA,
    slack: SYSTEM_SLACK,
    zendesk: SYSTEM_ZENDESK,
    salesforce: SYSTEM_SALESFORCE,
    sidecar: SYSTEM_SIDECAR
});

export const EVENT_LABELS = Object.freeze({
    escalated: EVENT_ESCALATED,
    acknowledged: EVENT_ACKNOWLEDGED,
    ack_timeout: EVENT_ACK_TIMEOUT,
    comment: EVENT_COMMENT,
    customer_comment: EVENT_CUSTOMER_COMMENT,
    status_changed: EVENT_STATUS_CHANGED,
    resolved: EVENT_RESOLVED,
    reopened: EVENT_REOPENED,
    stable: EVENT_STABLE
});
