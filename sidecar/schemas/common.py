"""Shared fields and bases of the schemas: stored times, help-desk ids, strict JSON numbers and booleans."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from marshmallow.utils import missing as missing_

from sidecar.domain.statuses import AssessmentLevel, EscalationStatus, WebhookStatus
from sidecar.store.models import stored_utc

LEVELS = validate.OneOf([s.value for s in AssessmentLevel])
ESCALATION_STATUSES = validate.OneOf([s.value for s in EscalationStatus])
WEBHOOK_STATUSES = validate.OneOf([s.value for s in WebhookStatus])

MAX_ID_LENGTH = 100
# Python's whitespace (what str.strip() removes) spelled out: JSON Schema patterns are ECMA regexes, whose
# \s differs from Python's (\x1c-\x1f and \x85 are not in it, \ufeff is), so the document cannot say \s.
BLANK = "\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = f"[^{BLANK}]"  # a pattern: holds something other than whitespace


def strip_nul(value: Any) -> Any:
    """Remove NUL characters from every string in a JSON value (PostgreSQL text cannot hold them)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    return value


class StoredTime(fields.DateTime):
    """A stored time in a response, always with its UTC offset (SQLite hands stored times back without one)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(stored_utc(value), attr, obj, **kwargs)


MAX_INTEGER_ID = 2**63 - 1


class ExternalId(fields.String):
    """An id from a help desk: Zendesk sends numbers, Salesforce strings; both are stored as text.

    `integers=False` for a query parameter, where everything is text.
    """

    def __init__(self, *, integers: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.integers = integers

    def openapi_alternatives(self) -> list[dict[str, Any]]:
        """What /openapi.json says this field takes (sidecar.api.openapi documents it as anyOf)."""
        text = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH, "pattern": NOT_BLANK}
        return [text, {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER_ID}] if self.integers else [text]

    def _deserialize(self, value, attr, data, **kwargs):
        if (isinstance(value, bool) or not isinstance(value, (str, int))
                or (isinstance(value, int) and not self.integers)):
            raise ValidationError("must be a string or an integer" if self.integers else "must be a string")
        if isinstance(value, int) and not 0 <= value <= MAX_INTEGER_ID:
            raise ValidationError(f"must be from 0 to {MAX_INTEGER_ID}")
        text = str(value)
        # Length before stripping, as documented: surrounding spaces are dropped, not a way past the limit.
        if len(text) > MAX_ID_LENGTH:
            raise ValidationError(f"must be at most {MAX_ID_LENGTH} characters")
        text = text.strip()
        if not text:
            raise ValidationError("must not be empty")
        return text


class JsonFloat(fields.Float):
    """A JSON number: a numeric string such as "0.5" is refused, as the document says (marshmallow takes it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class JsonBoolean(fields.Boolean):
    """A JSON true or false: marshmallow would also take 1, "yes", "on" and the like."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class RequestSchema(Schema):
    """Base for request bodies (the API strips NULs before loading; see api.context.json_body)."""

    class Meta:
        unknown = EXCLUDE
class StoredDate(fields.Date):
    """A date that is stored in JSON as an ISO string: loads to a date, dumps strings as they are."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)

def unit_interval(**kwargs) -> JsonFloat:
    return JsonFloat(allow_nan=False, validate=validate.Range(min=0, max=1), **kwargs)


class _Derived:
    """Mixin: a response field whose value the schema computes from the whole object it dumps.

    For what a row keeps in several columns but the API shows as one value (a ticket reference from
    `ticket_source` and `ticket_external_id`). A mapping is still read by key, so a dict dumps as before.
    """

    def __init__(self, *args: Any, getter: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.getter = getter

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing_) -> Any:
        """The value of this field for `obj`: by key in a mapping, otherwise computed by `getter`."""
        if isinstance(obj, Mapping):
            return super().get_value(obj, attr, accessor, default)  # type: ignore[misc]
        return self.getter(obj)


class DerivedNested(_Derived, fields.Nested):
    """A nested object computed from the dumped object (documented as the nested schema)."""


class DerivedDict(_Derived, fields.Dict):
    """An object computed from the dumped object (documented as an object)."""


class DerivedFloat(_Derived, fields.Float):
    """A number computed from the dumped object."""
