"""Marshmallow schemas, named by role: the single source of the API's shapes and of /openapi.json.

One module per concept; every public name is re-exported here, so `from sidecar.schemas import X` works.
"""
from __future__ import annotations

from sidecar.schemas.analytics import (
    AnalyticsRangeQuerySchema,
    AnalyticsSummarySchema,
    AnalyticsTimeseriesQuerySchema,
    AnalyticsTimeseriesSchema,
    PercentilesSchema,
    TimeseriesPointSchema,
)
from sidecar.schemas.assessments import (
    AssessmentListQuerySchema,
    AssessmentListSchema,
    AssessmentSchema,
    CategorySchema,
    FeedbackAnswerSchema,
    FeedbackSchema,
    ShadowScoreSchema,
    SignalSchema,
)
from sidecar.schemas.common import (
    BLANK,
    ESCALATION_STATUSES,
    LEVELS,
    MAX_ID_LENGTH,
    MAX_INTEGER_ID,
    NOT_BLANK,
    WEBHOOK_STATUSES,
    ExternalId,
    JsonBoolean,
    JsonFloat,
    RequestSchema,
    StoredDate,
    StoredTime,
    strip_nul,
    unit_interval,
)
from sidecar.schemas.connections import ConnectionsUpdateSchema, ConnectionsViewSchema, ConnectionSystemSchema
from sidecar.schemas.directory import (
    TIMEZONES,
    ExpertListQuerySchema,
    ExpertSchema,
    OutOfOfficeSchema,
    RoutingRuleListSchema,
    RoutingRuleSchema,
    RuleConditionsField,
    TeamSchema,
    WorkingHoursSchema,
)
from sidecar.schemas.escalations import (
    JIRA_KEY,
    EscalatedBySchema,
    EscalationListQuerySchema,
    EscalationListSchema,
    EscalationPreviewSchema,
    EscalationRequestSchema,
    EscalationSchema,
    EscalationStepSchema,
)
from sidecar.schemas.inbound import InboundEventSchema, InboundListSchema, InboundQuerySchema
from sidecar.schemas.installation import (
    AuditEntrySchema,
    AuditListSchema,
    AuditQuerySchema,
    CredentialsSchema,
    CredentialsStatusSchema,
    InstallationSchema,
    NewTokenSchema,
    SharedSecretRotationSchema,
    SharedSecretSchema,
    TokenCreateSchema,
    TokenListSchema,
    TokenSchema,
)
from sidecar.schemas.privacy import (
    ErasureRequestSchema,
    ErasureSchema,
    InstallationDeletionQuerySchema,
    InstallationDeletionSchema,
    NotReachableSchema,
    RetentionSettingsSchema,
    TrimmedEmail,
)
from sidecar.schemas.routes import (
    RouteAlternativeSchema,
    RouteExpertSchema,
    RouteSchema,
    RouteTeamSchema,
    SimilarIncidentSchema,
    SimilarListSchema,
    SimilarQuerySchema,
)
from sidecar.schemas.service import (
    ErrorDetailSchema,
    ErrorSchema,
    HealthSchema,
    SlackEventAnswerSchema,
    WebhookAnswerSchema,
)
from sidecar.schemas.settings import (
    EscalationSettingsSchema,
    EscalationSettingsViewSchema,
    JiraPrioritySchema,
    LevelThresholdsSchema,
    RedactionSettingsSchema,
    ScoringSettingsSchema,
    ScoringSettingsViewSchema,
)
from sidecar.schemas.tickets import (
    AssessmentRequestSchema,
    CommentSchema,
    OrganizationSchema,
    RequesterSchema,
    TicketRefSchema,
    TicketSchema,
)

__all__ = [
    "AnalyticsRangeQuerySchema", "AnalyticsSummarySchema", "AnalyticsTimeseriesQuerySchema",
    "AnalyticsTimeseriesSchema", "PercentilesSchema", "TimeseriesPointSchema",
    "AssessmentListQuerySchema", "AssessmentListSchema", "AssessmentRequestSchema", "AssessmentSchema",
    "AuditEntrySchema", "AuditListSchema", "AuditQuerySchema", "BLANK", "CategorySchema", "CommentSchema",
    "ConnectionSystemSchema", "ConnectionsUpdateSchema", "ConnectionsViewSchema", "CredentialsSchema",
    "CredentialsStatusSchema", "ESCALATION_STATUSES", "ErasureRequestSchema", "ErasureSchema",
    "ErrorDetailSchema", "ErrorSchema", "EscalatedBySchema", "EscalationListQuerySchema",
    "EscalationListSchema", "EscalationPreviewSchema", "EscalationRequestSchema", "EscalationSchema",
    "EscalationSettingsSchema", "EscalationSettingsViewSchema", "EscalationStepSchema", "ExpertListQuerySchema",
    "ExpertSchema", "ExternalId", "FeedbackAnswerSchema", "FeedbackSchema", "HealthSchema",
    "InboundEventSchema", "InboundListSchema", "InboundQuerySchema", "InstallationDeletionQuerySchema",
    "InstallationDeletionSchema", "InstallationSchema", "JIRA_KEY",
    "JiraPrioritySchema", "JsonBoolean", "JsonFloat", "LEVELS", "LevelThresholdsSchema", "MAX_ID_LENGTH",
    "MAX_INTEGER_ID", "NOT_BLANK", "NewTokenSchema", "NotReachableSchema", "OrganizationSchema",
    "OutOfOfficeSchema", "RedactionSettingsSchema", "RequestSchema", "RequesterSchema",
    "RetentionSettingsSchema", "RouteAlternativeSchema", "RouteExpertSchema", "RouteSchema", "RouteTeamSchema",
    "RoutingRuleListSchema", "RoutingRuleSchema", "RuleConditionsField", "ScoringSettingsSchema",
    "ScoringSettingsViewSchema", "ShadowScoreSchema", "SharedSecretRotationSchema", "SharedSecretSchema",
    "SignalSchema", "SimilarIncidentSchema", "SimilarListSchema", "SimilarQuerySchema",
    "SlackEventAnswerSchema", "StoredDate", "StoredTime", "TIMEZONES", "TeamSchema", "TicketRefSchema",
    "TicketSchema", "TokenCreateSchema", "TokenListSchema", "TokenSchema", "TrimmedEmail", "WEBHOOK_STATUSES",
    "WebhookAnswerSchema", "WorkingHoursSchema", "strip_nul", "unit_interval",
]
