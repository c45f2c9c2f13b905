import { LightningElement, api, wire } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { getFocusedTabInfo, getTabInfo } from 'lightning/platformWorkspaceApi';
import { APPLICATION_SCOPE, MessageContext, subscribe, unsubscribe } from 'lightning/messageService';
import { getRecord, getFieldValue } from 'lightning/uiRecordApi';
import TAB_FOCUSED_CHANNEL from '@salesforce/messageChannel/lightning__tabFocused';
import {
    AssessmentLevel,
    EscalationMode,
    EscalationStatus,
    FeedbackRating,
    StepStatus
} from 'c/escalationConstants';
import assessCase from '@salesforce/apex/EscalationController.assessCase';
import previewEscalation from '@salesforce/apex/EscalationController.previewEscalation';
import escalateCase from '@salesforce/apex/EscalationController.escalateCase';
import latestEscalation from '@salesforce/apex/EscalationController.latestEscalation';
import listTeams from '@salesforce/apex/EscalationController.listTeams';
import listExperts from '@salesforce/apex/EscalationController.listExperts';
import rateAssessment from '@salesforce/apex/EscalationController.rateAssessment';
import {
    LABELS,
    LEVEL_LABELS,
    RECOMMENDATION_LABELS,
    CATEGORY_LABELS,
    SIGNAL_LABELS,
    ESCALATION_STATUS_LABELS,
    STEP_LABELS,
    STEP_STATUS_LABELS,
    SYSTEM_LABELS,
    EVENT_LABELS
} from './labels';
import {
    LINK_NEW,
    errorMessage,
    escalationParams,
    format,
    isCaseId,
    itemsOf,
    jiraKeyOrNull,
    labelFor,
    linkCandidates,
    newIdempotencyKey,
    orderedSteps,
    parseJson,
    percent,
    pollInterval,
    routeChoice,
    safeUrl,
    stepChanges
} from './escalationFlow';

// Where the sidecar writes the Jira key on the Case (its setting salesforce.jira_key_field). Named as a
// string, not a schema import, so the panel still works in an org where the field is not visible.
const JIRA_KEY_FIELD = 'Case.Jira_Key__c';

// The panel's flow: loading -> assessed -> previewing -> preview -> escalating -> escalated -> resolved.
const Stage = Object.freeze({
    ASSESSED: 'assessed',
    PREVIEWING: 'previewing',
    PREVIEW: 'preview',
    ESCALATING: 'escalating',
    ESCALATED: 'escalated',
    RESOLVED: 'resolved'
});

const LEVEL_BADGE_CLASSES = {
    [AssessmentLevel.LOW]: 'slds-theme_success',
    [AssessmentLevel.MEDIUM]: 'slds-theme_warning',
    [AssessmentLevel.HIGH]: 'slds-theme_error',
    [AssessmentLevel.CRITICAL]: 'slds-theme_error'
};
const STEP_BADGE_CLASSES = {
    [StepStatus.DONE]: 'slds-theme_success',
    [StepStatus.DRY_RUN]: 'slds-badge_lightest',
    [StepStatus.RETRYING]: 'slds-theme_warning',
    [StepStatus.DEAD]: 'slds-theme_error'
};
const ESCALATION_BADGE_CLASSES = {
    [EscalationStatus.DELIVERED]: 'slds-theme_success',
    [EscalationStatus.FAILED]: 'slds-theme_error',
    [EscalationStatus.RESOLVED]: 'slds-badge_inverse'
};

function stageFor(escalation) {
    return escalation && escalation.status === EscalationStatus.RESOLVED ? Stage.RESOLVED : Stage.ESCALATED;
}

/**
 * The escalation sidecar's panel on a Case (record page or utility bar of the Service Console):
 * the assessment and its evidence, the suggested team and expert, similar incidents, the escalation
 * preview and confirmation, then the escalation as it is delivered and followed up.
 */
export default class EscalationPanel extends LightningElement {
    labels = LABELS;

    phase = 'loading'; // loading | ready | error | noCase: the first assessment
    errorText = '';
    notice = null; // a failure that does not hide the rest: {message, source}
    assessing = false;
    caseId = null;
    assessment = null;
    teams = [];
    experts = [];
    stage = Stage.ASSESSED;
    preview = null;
    form = null;
    idempotencyKey = null;
    escalation = null;
    rating = null;
    announcement = '';
    copyState = null; // null | 'copied' | 'failed'
    caseJiraKey = null; // a Jira key already on the Case: offered as an issue to link to

    @wire(MessageContext) messageContext;

    @wire(getRecord, { recordId: '$caseId', optionalFields: [JIRA_KEY_FIELD] })
    wiredCase({ data }) {
        this.caseJiraKey = data ? jiraKeyOrNull(getFieldValue(data, JIRA_KEY_FIELD)) : null;
    }

    _recordId;
    _connected = false;
    _assessSeq = 0;
    _previewSeq = 0;
    _pollTimer = null;
    _pollEvery = null;
    _pollingFor = null; // the Case whose latest escalation is being asked for
    _directory = null;
    _tabSubscription = null;
    _focusTarget = null;

    /** The Case id, injected on a record page; empty in the utility bar. */
    @api
    get recordId() {
        return this._recordId;
    }
    set recordId(value) {
        const changed = value !== this._recordId;
        this._recordId = value;
        if (changed && this._connected && value) {
            this.showCase(value);
        }
    }

    connectedCallback() {
        this._connected = true;
        if (!this._recordId) {
            this.subscribeToTabFocus();
        }
        this.load();
    }

    disconnectedCallback() {
        this._connected = false;
        this.stopPolling();
        if (this._tabSubscription) {
            unsubscribe(this._tabSubscription);
            this._tabSubscription = null;
        }
    }

    renderedCallback() {
        if (this._focusTarget) {
            const target = this.template.querySelector(`[data-id="${this._focusTarget}"]`);
            this._focusTarget = null;
            if (target && typeof target.focus === 'function') {
                target.focus();
            }
        }
    }

    // --- which Case ---------------------------------------------------------------------------

    /** In the utility bar, follow the agent from tab to tab. */
    subscribeToTabFocus() {
        if (this._tabSubscription) {
            return;
        }
        this._tabSubscription = subscribe(this.messageContext, TAB_FOCUSED_CHANNEL, () => this.load(), {
            scope: APPLICATION_SCOPE
        });
    }

    /**
     * Find the Case (the page's record, else the focused console tab's) and assess it. The same
     * Case focused again keeps its assessment unless `force` (the refresh button).
     */
    async load({ force = false } = {}) {
        const caseId = this._recordId || (await this.focusedCaseId());
        if (!caseId) {
            this.reset(null);
            this.phase = 'noCase';
            return;
        }
        if (!force && caseId === this.caseId && this.phase !== 'error') {
            return;
        }
        this.showCase(caseId);
    }

    /** The Case of the focused console tab (or of its parent tab, for a subtab), else null. */
    async focusedCaseId() {
        try {
            const tab = await getFocusedTabInfo();
            if (tab && isCaseId(tab.recordId)) {
                return tab.recordId;
            }
            if (tab && tab.parentTabId) {
                const parent = await getTabInfo(tab.parentTabId);
                return parent && isCaseId(parent.recordId) ? parent.recordId : null;
            }
        } catch (error) {
            // not a console app: no tab is focused
        }
        return null;
    }

    showCase(caseId) {
        if (caseId !== this.caseId) {
            this.reset(caseId);
        }
        this.assess();
    }

    reset(caseId) {
        this.stopPolling();
        this._assessSeq++;
        this._previewSeq++;
        this.caseId = caseId;
        this.phase = 'loading';
        this.errorText = '';
        this.notice = null;
        this.assessing = false;
        this.assessment = null;
        this.stage = Stage.ASSESSED;
        this.preview = null;
        this.form = null;
        this.idempotencyKey = null;
        this.escalation = null;
        this.rating = null;
        this.copyState = null;
    }

    // --- Apex calls -----------------------------------------------------------------------------

    /** Assess the Case, then show its latest escalation, if any. */
    async assess() {
        const seq = ++this._assessSeq;
        const caseId = this.caseId;
        this.assessing = true;
        this.errorText = '';
        if (!this.assessment) {
            this.phase = 'loading';
        }
        let assessment;
        try {
            assessment = parseJson(await assessCase({ caseId }));
        } catch (error) {
            if (seq === this._assessSeq) {
                this.assessFailed(error);
            }
            return;
        }
        if (seq !== this._assessSeq) {
            return; // a newer assessment (or another Case) started meanwhile
        }
        if (!this.assessment || !assessment || this.assessment.id !== assessment.id) {
            this.rating = null;
        }
        this.assessing = false;
        this.assessment = assessment;
        this.phase = 'ready';
        if (this.notice && this.notice.source === 'assess') {
            this.notice = null;
        }
        this.announce(
            format(
                LABELS.liveAssessed,
                labelFor(LEVEL_LABELS, assessment && assessment.level),
                percent(assessment && assessment.score)
            )
        );
        if (this.stage !== Stage.ESCALATING) {
            await this.poll();
        }
    }

    assessFailed(error) {
        this.assessing = false;
        const message = errorMessage(error) || LABELS.errorUnknown;
        if (this.assessment) {
            this.notice = { message, source: 'assess' };
        } else {
            this.phase = 'error';
            this.errorText = message;
        }
    }

    /** Ask for the Case's latest escalation and show it; keeps polling while it is moving. */
    async poll() {
        const caseId = this.caseId;
        if (!caseId || this._pollingFor === caseId) {
            return; // the same question is already on its way
        }
        this._pollingFor = caseId;
        try {
            const escalation = parseJson(await latestEscalation({ caseId }));
            if (caseId !== this.caseId) {
                return; // the agent moved on to another Case meanwhile
            }
            if (escalation && this.stage !== Stage.ESCALATING) {
                this.applyEscalation(escalation);
            }
            if (this.notice && this.notice.source === 'poll') {
                this.notice = null;
            }
        } catch (error) {
            if (caseId === this.caseId && !this.notice) {
                this.notice = { message: errorMessage(error) || LABELS.errorUnknown, source: 'poll' };
            }
        } finally {
            if (this._pollingFor === caseId) {
                this._pollingFor = null;
            }
        }
        this.syncPolling();
    }

    applyEscalation(escalation) {
        const before = this.escalation;
        const wasResolved = before && before.status === EscalationStatus.RESOLVED;
        this.escalation = escalation;
        this.stage = stageFor(escalation);
        this.preview = null;
        this.form = null;
        if (escalation.status === EscalationStatus.RESOLVED && !wasResolved && before) {
            this.announce(LABELS.liveResolved);
            return;
        }
        const changed = stepChanges(before, escalation);
        if (changed.length) {
            const step = changed[changed.length - 1];
            this.announce(
                format(
                    LABELS.liveStepChanged,
                    labelFor(STEP_LABELS, step.name),
                    labelFor(STEP_STATUS_LABELS, step.status)
                )
            );
        }
    }

    /** Poll every few seconds while steps are delivered, every minute while open, not at all once resolved. */
    syncPolling() {
        const every = this._connected ? pollInterval(this.escalation) : null;
        if (every === this._pollEvery) {
            return;
        }
        this.stopPolling();
        if (every) {
            this._pollEvery = every;
            // eslint-disable-next-line @lwc/lwc/no-async-operation
            this._pollTimer = setInterval(() => this.poll(), every);
        }
    }

    stopPolling() {
        if (this._pollTimer) {
            clearInterval(this._pollTimer);
        }
        this._pollTimer = null;
        this._pollEvery = null;
    }

    /** Teams and experts for the preview's choices, once; on failure the route's choice is offered. */
    loadDirectory() {
        if (!this._directory) {
            this._directory = Promise.all([listTeams(), listExperts()]).then(
                ([teams, experts]) => {
                    this.teams = itemsOf(parseJson(teams));
                    this.experts = itemsOf(parseJson(experts));
                },
                () => {
                    this._directory = null;
                }
            );
        }
        return this._directory;
    }

    async fetchPreview() {
        const seq = ++this._previewSeq;
        try {
            const params = escalationParams(this.caseId, this.form);
            if (!this.form.summaryEdited) {
                params.summary = null; // let the sidecar write the summary for the new choices
            }
            const preview = parseJson(await previewEscalation(params));
            if (seq !== this._previewSeq || !this.isAwaitingPreview) {
                return;
            }
            const firstTime = !this.preview;
            this.preview = preview || {};
            if (!this.form.summaryEdited) {
                this.form = { ...this.form, summary: this.preview.summary || '' };
            }
            this.stage = Stage.PREVIEW;
            if (firstTime) {
                this.announce(LABELS.livePreviewReady);
                this._focusTarget = 'preview-summary';
            }
        } catch (error) {
            if (seq !== this._previewSeq || !this.isAwaitingPreview) {
                return;
            }
            this.notice = { message: errorMessage(error) || LABELS.errorUnknown, source: 'preview' };
            if (!this.preview) {
                this.stage = Stage.ASSESSED;
                this.form = null;
                this._focusTarget = 'escalate';
            }
        }
    }

    /** Escalate with the previewed choices; the idempotency key stays the same for retries. */
    async confirmEscalate() {
        if (this.stage !== Stage.PREVIEW) {
            return;
        }
        this._previewSeq++; // a preview still on its way must not reopen the form
        this.stage = Stage.ESCALATING;
        this.notice = null;
        this.announce(LABELS.liveEscalating);
        let escalation;
        try {
            escalation = parseJson(
                await escalateCase({
                    ...escalationParams(this.caseId, this.form),
                    idempotencyKey: this.idempotencyKey
                })
            );
            if (!escalation) {
                throw new Error(LABELS.errorUnknown);
            }
        } catch (error) {
            const message = errorMessage(error) || LABELS.errorUnknown;
            this.stage = Stage.PREVIEW;
            this.notice = { message, source: 'escalate' };
            this.dispatchEvent(new ShowToastEvent({ title: LABELS.toastFailedTitle, message, variant: 'error' }));
            return;
        }
        this.idempotencyKey = null;
        this.escalation = null; // a fresh escalation: announce it, not its step changes
        this.applyEscalation(escalation);
        this.announce(LABELS.toastEscalatedMessage);
        this._focusTarget = 'escalation-heading';
        this.dispatchEvent(
            new ShowToastEvent({
                title: LABELS.toastEscalatedTitle,
                message: LABELS.toastEscalatedMessage,
                variant: 'success'
            })
        );
        this.syncPolling();
    }

    async rate(rating) {
        if (!this.assessment) {
            return;
        }
        try {
            await rateAssessment({ assessmentId: this.assessment.id, rating, note: '' });
            this.rating = rating;
            this.announce(LABELS.liveRated);
        } catch (error) {
            this.notice = { message: errorMessage(error) || LABELS.errorUnknown, source: 'rate', rating };
        }
    }

    announce(text) {
        this.announcement = text;
    }

    // --- event handlers -----------------------------------------------------------------------

    handleRefresh() {
        this.notice = null;
        this.load({ force: true });
    }

    /** Retry what failed: the assessment, the preview, the escalation (same key) or the poll. */
    handleRetry() {
        const notice = this.notice;
        this.notice = null;
        if (this.phase === 'error' || !notice) {
            this.handleRefresh();
            return;
        }
        switch (notice.source) {
            case 'preview':
                if (this.isPreviewStage) {
                    this.fetchPreview();
                } else {
                    this.openPreview();
                }
                break;
            case 'escalate':
                this.confirmEscalate();
                break;
            case 'poll':
                this.poll();
                break;
            case 'rate':
                this.rate(notice.rating);
                break;
            default:
                this.assess();
        }
    }

    handleDismiss() {
        this.notice = null;
    }

    handleEscalate() {
        this.openPreview();
    }

    handleChooseAlternative(event) {
        const { teamId, expertId } = event.currentTarget.dataset;
        this.openPreview({ teamId: teamId || '', expertId: expertId || '' });
    }

    /** Open the escalation preview, optionally for another team / expert than the route's. */
    openPreview({ teamId, expertId } = {}) {
        if (!this.assessment || this.escalation) {
            return;
        }
        const route = routeChoice(this.assessment);
        const chosenTeam = teamId === undefined ? route.teamId : teamId;
        let chosenExpert = expertId;
        if (chosenExpert === undefined) {
            chosenExpert = chosenTeam === route.teamId ? route.expertId : '';
        }
        this.form = {
            summary: '',
            note: '',
            teamId: chosenTeam,
            expertId: chosenExpert,
            linkTo: LINK_NEW,
            summaryEdited: false
        };
        this.preview = null;
        this.notice = null;
        this.idempotencyKey = newIdempotencyKey();
        this.stage = Stage.PREVIEWING;
        this.loadDirectory();
        this.fetchPreview();
    }

    handleSummaryChange(event) {
        this.form = { ...this.form, summary: event.detail.value, summaryEdited: true };
    }

    handleNoteChange(event) {
        this.form = { ...this.form, note: event.detail.value };
    }

    handleTeamChange(event) {
        const teamId = event.detail.value;
        const expert = this.experts.find((candidate) => candidate.id === this.form.expertId);
        const keepExpert = expert && expert.team_id === teamId;
        this.form = { ...this.form, teamId, expertId: keepExpert ? this.form.expertId : '' };
        this.fetchPreview();
    }

    handleExpertChange(event) {
        this.form = { ...this.form, expertId: event.detail.value };
        this.fetchPreview();
    }

    handleLinkChange(event) {
        this.form = { ...this.form, linkTo: event.detail.value };
    }

    handleCancel() {
        this._previewSeq++;
        this.stage = Stage.ASSESSED;
        this.preview = null;
        this.form = null;
        this.notice = null;
        this.idempotencyKey = null;
        this._focusTarget = 'escalate';
    }

    handleConfirm() {
        this.confirmEscalate();
    }

    handleRateRight() {
        this.rate(FeedbackRating.RIGHT);
    }

    handleRateWrong() {
        this.rate(FeedbackRating.WRONG);
    }

    /** Copy the drafted reply; where the clipboard is unavailable, show it selectable instead. */
    async handleCopy() {
        const text = this.escalation && this.escalation.drafted_reply;
        if (!text) {
            return;
        }
        try {
            const clipboard = typeof navigator !== 'undefined' ? navigator.clipboard : null;
            if (!clipboard || typeof clipboard.writeText !== 'function') {
                throw new Error('clipboard unavailable');
            }
            await clipboard.writeText(text);
            this.copyState = 'copied';
            this.announce(LABELS.copied);
        } catch (error) {
            this.copyState = 'failed';
            this.announce(LABELS.copyFailed);
        }
    }

    // --- what the template shows ----------------------------------------------------------------

    get isLoading() {
        return this.phase === 'loading';
    }

    get hasError() {
        return this.phase === 'error';
    }

    get isNoCase() {
        return this.phase === 'noCase';
    }

    get isReady() {
        return this.phase === 'ready' && Boolean(this.assessment);
    }

    get isReassessing() {
        return this.isReady && this.assessing;
    }

    get isBusy() {
        return this.isLoading || this.isReassessing || this.stage === Stage.ESCALATING;
    }

    get ariaBusy() {
        return String(this.isBusy);
    }

    /** The error callout: the first assessment failed, or a later action did (a notice). */
    get showCallout() {
        return this.hasError || Boolean(this.notice);
    }

    get calloutMessage() {
        if (this.hasError) {
            return this.errorText;
        }
        return this.notice ? this.notice.message : '';
    }

    get canDismiss() {
        return !this.hasError && Boolean(this.notice);
    }

    // assessment

    get scoreText() {
        return format(LABELS.scoreValue, percent(this.assessment.score));
    }

    get level() {
        return this.assessment.level || AssessmentLevel.LOW;
    }

    get levelLabel() {
        return labelFor(LEVEL_LABELS, this.level);
    }

    get levelClass() {
        return LEVEL_BADGE_CLASSES[this.level] || '';
    }

    get recommendationLabel() {
        return labelFor(RECOMMENDATION_LABELS, this.assessment.recommendation);
    }

    get reasons() {
        const signals = [...(this.assessment.signals || [])];
        signals.sort((a, b) => (b.contribution || 0) - (a.contribution || 0));
        return signals.map((signal, index) => ({
            key: `${signal.name}-${index}`,
            name: signal.name,
            label: labelFor(SIGNAL_LABELS, signal.name),
            category: signal.category ? labelFor(CATEGORY_LABELS, signal.category) : '',
            evidence: signal.evidence || ''
        }));
    }

    get hasReasons() {
        return this.reasons.length > 0;
    }

    get categories() {
        return (this.assessment.categories || []).map((category) => ({
            key: category.name,
            name: category.name,
            label: labelFor(CATEGORY_LABELS, category.name),
            confidence: format(LABELS.confidence, percent(category.confidence))
        }));
    }

    get hasCategories() {
        return this.categories.length > 0;
    }

    get rightVariant() {
        return this.rating === FeedbackRating.RIGHT ? 'brand' : 'neutral';
    }

    get wrongVariant() {
        return this.rating === FeedbackRating.WRONG ? 'brand' : 'neutral';
    }

    get isRated() {
        return Boolean(this.rating);
    }

    // route

    get route() {
        return (this.assessment && this.assessment.route) || null;
    }

    get hasRoute() {
        return Boolean(this.route);
    }

    get hasRouteTeam() {
        return Boolean(this.route && this.route.team);
    }

    get routeTeamName() {
        return this.route.team.name;
    }

    get routeConfidence() {
        return format(LABELS.confidence, percent(this.route.confidence));
    }

    get routeExpert() {
        return this.route.expert || null;
    }

    get routeExpertName() {
        return this.routeExpert ? this.routeExpert.name : LABELS.noExpert;
    }

    get routeExpertAvailability() {
        return this.routeExpert.available_now ? LABELS.availableNow : LABELS.notAvailableNow;
    }

    get routeExpertAvailabilityClass() {
        return this.routeExpert.available_now ? 'slds-theme_success' : '';
    }

    get routeReasons() {
        const route = this.route || {};
        const expertReasons = (route.expert && route.expert.reasons) || [];
        // The route's reasons hold the expert's joined in one line ("Ana Ruiz: skilled in ..., 2 open of 8
        // capacity") for the Jira issue and API readers; the panel lists them one by one instead.
        const summary = route.expert && expertReasons.length ? `${route.expert.name}: ${expertReasons.join(', ')}` : null;
        const teamReasons = (route.reasons || []).filter((reason) => reason !== summary);
        return [...new Set([...teamReasons, ...expertReasons])].map((text, index) => ({
            key: `reason-${index}`,
            text
        }));
    }

    get hasRouteReasons() {
        return this.routeReasons.length > 0;
    }

    get canChoose() {
        return !this.escalation && this.stage === Stage.ASSESSED;
    }

    get alternatives() {
        return ((this.route && this.route.alternatives) || []).map((alternative, index) => {
            const team = alternative.team || {};
            const expert = alternative.expert || null;
            const name = expert ? `${expert.name} (${team.name})` : team.name;
            return {
                key: `alternative-${index}`,
                name,
                confidence: format(LABELS.confidence, percent(alternative.confidence)),
                reasons: (alternative.reasons || []).join('; '),
                chooseLabel: format(LABELS.chooseAlternative, name),
                teamId: team.id || '',
                expertId: expert ? expert.id : ''
            };
        });
    }

    get hasAlternatives() {
        return this.alternatives.length > 0;
    }

    // similar incidents

    get similar() {
        return ((this.assessment && this.assessment.similar) || []).map((item, index) => {
            const meta = [
                item.kind === 'jira_issue' ? LABELS.kindJiraIssue : LABELS.kindTicket,
                format(LABELS.similarMatch, percent(item.score))
            ];
            if (item.status) {
                meta.push(format(LABELS.similarStatus, item.status));
            }
            return {
                key: `${item.kind}-${item.id}-${index}`,
                title: item.title || item.id,
                url: safeUrl(item.url),
                meta: meta.join(' · '),
                resolution: item.resolution ? format(LABELS.similarResolution, item.resolution) : '',
                // An incident still open has no solver yet; who is working on it is worth knowing too.
                solvedBy: item.solved_by
                    ? format(LABELS.similarSolvedBy, item.solved_by)
                    : item.assignee
                      ? format(LABELS.similarAssignedTo, item.assignee)
                      : ''
            };
        });
    }

    get hasSimilar() {
        return this.similar.length > 0;
    }

    // escalate and preview

    get showEscalateButton() {
        return this.isReady && !this.escalation && this.stage === Stage.ASSESSED;
    }

    get isPreviewStage() {
        return [Stage.PREVIEWING, Stage.PREVIEW, Stage.ESCALATING].includes(this.stage) && Boolean(this.form);
    }

    /** Whether a preview answer is still wanted (not once the agent confirmed or cancelled). */
    get isAwaitingPreview() {
        return (this.stage === Stage.PREVIEWING || this.stage === Stage.PREVIEW) && Boolean(this.form);
    }

    get isPreviewLoading() {
        return this.isPreviewStage && !this.preview;
    }

    get isPreviewReady() {
        return this.isPreviewStage && Boolean(this.preview);
    }

    get isEscalating() {
        return this.stage === Stage.ESCALATING;
    }

    get previewAriaBusy() {
        return String(this.isEscalating);
    }

    get confirmLabel() {
        return this.isEscalating ? LABELS.confirming : LABELS.confirm;
    }

    get teamOptions() {
        const routeTeam = this.route && this.route.team;
        let teams = this.teams;
        if (!teams.length && routeTeam) {
            teams = [routeTeam];
        }
        return teams.map((team) => ({
            label: routeTeam && team.id === routeTeam.id ? format(LABELS.teamSuggested, team.name) : team.name,
            value: team.id
        }));
    }

    get expertOptions() {
        const teamId = this.form.teamId;
        const routeExpert = this.route && this.route.expert;
        const routeTeam = this.route && this.route.team;
        let experts = this.experts.filter((expert) => expert.team_id === teamId && expert.active !== false);
        if (!this.experts.length && routeExpert && routeTeam && routeTeam.id === teamId) {
            experts = [routeExpert];
        }
        return [
            { label: LABELS.expertBest, value: '' },
            ...experts.map((expert) => ({ label: expert.name, value: expert.id }))
        ];
    }

    get linkOptions() {
        const candidates = linkCandidates(this.preview, this.assessment, this.caseJiraKey);
        if (!candidates.length) {
            return [];
        }
        return [
            { label: LABELS.linkNew, value: LINK_NEW },
            ...candidates.map((candidate) => ({
                label: candidate.title
                    ? `${format(LABELS.linkExisting, candidate.key)}: ${candidate.title}`
                    : format(LABELS.linkExisting, candidate.key),
                value: candidate.key
            }))
        ];
    }

    get hasLinkOptions() {
        return this.linkOptions.length > 0;
    }

    get previewPriority() {
        return this.preview.priority || LABELS.noneValue;
    }

    get previewLabels() {
        return (this.preview.labels || []).join(', ') || LABELS.noneValue;
    }

    get previewDescription() {
        return this.preview.description_text || '';
    }

    get previewSlack() {
        return this.preview.slack_text || '';
    }

    // the escalation

    get hasEscalation() {
        return Boolean(this.escalation);
    }

    get isDryRun() {
        return this.escalation.mode === EscalationMode.DRY_RUN;
    }

    get escalationStatus() {
        return this.escalation.status || '';
    }

    get escalationStatusLabel() {
        return labelFor(ESCALATION_STATUS_LABELS, this.escalation.status);
    }

    get escalationStatusClass() {
        return ESCALATION_BADGE_CLASSES[this.escalation.status] || '';
    }

    get jiraKey() {
        return (this.escalation.jira && this.escalation.jira.key) || '';
    }

    get jiraUrl() {
        return safeUrl(this.escalation.jira && this.escalation.jira.url);
    }

    get slackUrl() {
        return safeUrl(this.escalation.slack && this.escalation.slack.permalink);
    }

    get escalationTeamName() {
        return (this.escalation.team && this.escalation.team.name) || '';
    }

    get escalationExpertName() {
        return (this.escalation.expert && this.escalation.expert.name) || '';
    }

    get acknowledgement() {
        const by = this.escalation.acknowledged && this.escalation.acknowledged.by;
        return by ? format(LABELS.acknowledgedBy, by) : LABELS.notAcknowledged;
    }

    get steps() {
        return orderedSteps(this.escalation).map((step) => ({
            key: step.name,
            name: step.name,
            status: step.status,
            label: labelFor(STEP_LABELS, step.name),
            statusLabel: labelFor(STEP_STATUS_LABELS, step.status),
            statusClass: STEP_BADGE_CLASSES[step.status] || '',
            attempts: step.attempts > 1 ? format(LABELS.attempts, step.attempts) : '',
            error: step.error ? format(LABELS.stepError, step.error) : ''
        }));
    }

    get summaryText() {
        return (this.escalation.summary && this.escalation.summary.text) || '';
    }

    get timeline() {
        return (this.escalation.timeline || []).map((event, index) => {
            const heading = [labelFor(EVENT_LABELS, event.kind), labelFor(SYSTEM_LABELS, event.system)];
            if (event.actor) {
                heading.push(event.actor);
            }
            return {
                key: event.id || `event-${index}`,
                kind: event.kind,
                at: event.at || '',
                heading: heading.join(' · '),
                text: event.text || ''
            };
        });
    }

    get hasTimeline() {
        return this.timeline.length > 0;
    }

    get isResolved() {
        return this.escalation.status === EscalationStatus.RESOLVED;
    }

    get resolutionText() {
        return this.escalation.resolution ? format(LABELS.resolutionLabel, this.escalation.resolution) : '';
    }

    get draftedReply() {
        return this.escalation.drafted_reply || '';
    }

    get copied() {
        return this.copyState === 'copied';
    }

    get copyFailed() {
        return this.copyState === 'failed';
    }
}
