"""Offline checks of the Zendesk app: the rules Zendesk's own validator applies, and ours.

Zendesk validates an app only when its zip is uploaded (zcli apps:validate needs an account), so
the rules of `zendesk/zendesk_apps_support` (validations/manifest.rb, translations.rb,
requirements.rb, secure_settings.rb) are ported here, with Zendesk's warnings treated as errors:

- manifest: author {name, email, url}, defaultLocale (with its translations file), location and
  frameworkVersion "2.0" are required; booleans are booleans; location URLs are https, localhost
  or an existing assets/ file; parameter types are known; no parameter is called `name`; hidden
  parameters are not required; oauth parameters are not secure; token/key/pwd/password (and, our
  addition, secret) parameters of type text/password are secure; secure or hidden parameters
  have no default; secure parameters need a domainWhitelist.
- translations: valid locale names, JSON objects, every app.parameters.<name> has a label; the
  default locale has app.name, short_description, long_description, installation_instructions and
  a label for every manifest parameter; every locale has exactly the keys of the default one.
- requirements: known top-level types, no duplicate keys, `title` where Zendesk wants it, `key`
  on user/organization fields, webhooks with name/status/endpoint/http_method/request_format,
  no http_target/url_target_v2 targets.

Ours on top: the ZAF SDK is loaded from its one URL, every file iframe.html and the JS modules
refer to exists, the logos are PNGs of 320x320 and 128x128, a nav_bar / top_bar / ticket_editor
location has its assets/icon_<location>.svg with a viewBox, every "ui.*" string key the JS uses is
in the default locale, ticket fields have valid types, and each trigger's notification_webhook
names a webhook requirement and sends the JSON body sidecar/webhooks/events.py documents.

    python zendesk_app/validate.py [APP_DIR]      # prints problems, exit 1 if any
"""
from __future__ import annotations

import json
import re
import struct
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

APP_DIR = Path(__file__).resolve().parent
SDK_URL = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
FRAMEWORK_VERSION = "2.0"
REQUIRED_MANIFEST_FIELDS = ("author", "defaultLocale", "location", "frameworkVersion")
AUTHOR_FIELDS = ("name", "email", "url")
MANIFEST_BOOLEANS = ("private", "signedUrls", "singleInstall", "requirementsOnly", "marketingOnly")
MANIFEST_STRINGS = ("defaultLocale", "version", "frameworkVersion", "remoteInstallationURL", "termsConditionsURL", "gaID")
PARAMETER_TYPES = ("text", "password", "checkbox", "url", "number", "multiline", "hidden", "oauth")
# Zendesk warns on token|key|pwd|password; a shared secret is just as sensitive.
SECURABLE_NAME = re.compile(r"token|key|pwd|password|secret", re.IGNORECASE)
LOCATIONS = {
    "support": {"top_bar", "nav_bar", "ticket_sidebar", "new_ticket_sidebar", "user_sidebar", "organization_sidebar",
                "background", "ticket_editor", "modal"},
    "chat": {"chat_sidebar", "background"},
    "sell": {"top_bar", "deal_card", "lead_card", "person_card", "company_card", "background", "modal"},
}
VALID_LOCALE = re.compile(r"^[a-z]{2}(-\w{2,3})?$")
REQUIRED_APP_STRINGS = ("name", "short_description", "long_description", "installation_instructions")
REQUIREMENT_TYPES = ("automations", "channel_integrations", "custom_objects", "macros", "targets", "views",
                     "ticket_fields", "triggers", "user_fields", "organization_fields", "webhooks", "custom_objects_v2")
UNTITLED_REQUIREMENT_TYPES = ("channel_integrations", "custom_objects", "webhooks", "custom_objects_v2")
WEBHOOK_REQUIRED = ("name", "status", "endpoint", "http_method", "request_format")
WEBHOOK_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WEBHOOK_FORMATS = ("json", "xml", "form_encoded")
WEBHOOK_STATUSES = ("active", "inactive")
TICKET_FIELD_TYPES = ("text", "textarea", "checkbox", "date", "integer", "decimal", "regexp", "partialcreditcard",
                      "multiselect", "tagger", "lookup")
# The body our triggers send (sidecar/webhooks/events.py, "Zendesk trigger payload").
ZENDESK_EVENTS = ("ticket_created", "comment_added", "ticket_updated")
AUTHOR_ROLES = ("end-user", "agent", "admin")
LOGOS = {"assets/logo.png": (320, 320), "assets/logo-small.png": (128, 128)}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Locations shown as an icon the user clicks; Zendesk takes it from assets/icon_<location>.svg.
ICON_LOCATIONS = ("nav_bar", "top_bar", "ticket_editor")
SVG = "{http://www.w3.org/2000/svg}"
# Values the repository ships as placeholders; package.py --sidecar-url etc. replace them.
PLACEHOLDERS = ("sidecar.example.com", "INSTALLATION_ID", "REPLACE_WITH_WEBHOOK_SIGNING_SECRET")
STRING_KEY = re.compile(r"""['"`](ui\.[a-z0-9_.]*[a-z0-9_])['"`]""")
JS_IMPORT = re.compile(r"""(?:\bimport\s[^'"`;]*?from\s*|\bimport\s*\(\s*|\bimport\s+)['"`](\.{1,2}/[^'"`]+)['"`]""")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the app, and the file it is in."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class DuplicateKeyError(ValueError):
    """A JSON object with the same key twice (Zendesk refuses duplicate requirement keys)."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKeyError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def read_json(path: Path) -> Any:
    """Parse a JSON file, refusing duplicate keys."""
    return json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicates)


def png_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR chunk, or None if the file is not a PNG."""
    data = path.read_bytes()[:24]
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def leaf_keys(node: Any, prefix: str = "") -> set[str]:
    """Dotted keys of every string in a translations object ({"title", "value"} leaves count as one)."""
    if isinstance(node, dict) and set(node) == {"title", "value"} and isinstance(node.get("value"), str):
        return {prefix.rstrip(".")}
    if isinstance(node, dict):
        keys: set[str] = set()
        for key, value in node.items():
            keys |= leaf_keys(value, f"{prefix}{key}.")
        return keys
    return {prefix.rstrip(".")}


def lookup(node: Any, key: str) -> Any:
    """The value at a dotted key, or None."""
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


class _Checks:
    """Collects problems while walking one app directory."""

    def __init__(self, app_dir: Path) -> None:
        self.app_dir = app_dir
        self.problems: list[Problem] = []
        self.manifest: dict[str, Any] = {}
        self.default_strings: dict[str, Any] = {}

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def load(self, relative: str) -> Any:
        path = self.app_dir / relative
        if not path.is_file():
            self.add(relative, "is missing")
            return None
        try:
            return read_json(path)
        except DuplicateKeyError as exc:
            self.add(relative, str(exc))
        except ValueError as exc:
            self.add(relative, f"is not valid JSON ({exc})")
        return None

    def exists(self, relative: str) -> bool:
        path = (self.app_dir / relative).resolve()
        return path.is_file() and self.app_dir.resolve() in path.parents

    # --- manifest.json -------------------------------------------------------------------------

    def manifest_checks(self) -> None:
        manifest = self.load("manifest.json")
        if manifest is None:
            return
        if not isinstance(manifest, dict):
            self.add("manifest.json", "must be a JSON object")
            return
        self.manifest = manifest
        where = "manifest.json"
        missing = [field for field in REQUIRED_MANIFEST_FIELDS if manifest.get(field) in (None, "", {}, [])]
        if missing:
            self.add(where, f"missing required field(s): {', '.join(missing)}")
        author = manifest.get("author")
        if author is not None:
            if not isinstance(author, dict):
                self.add(where, "author must be an object with name, email and url")
            else:
                for field in AUTHOR_FIELDS:
                    if not isinstance(author.get(field), str) or not author[field].strip():
                        self.add(where, f"author {field} is required")
                url = author.get("url")
                if isinstance(url, str) and url and not re.match(r"^https?://", url):
                    self.add(where, f"author url must start with http:// or https:// (got {url!r})")
        for field in MANIFEST_BOOLEANS:
            if field in manifest and not isinstance(manifest[field], bool):
                self.add(where, f"{field} must be true or false (got {manifest[field]!r})")
        for field in MANIFEST_STRINGS:
            if field in manifest and manifest[field] is not None and not isinstance(manifest[field], str):
                self.add(where, f"{field} must be a string (got {manifest[field]!r})")
        version = manifest.get("frameworkVersion")
        if version is not None and version != FRAMEWORK_VERSION:
            self.add(where, f"frameworkVersion must be \"{FRAMEWORK_VERSION}\" (got {version!r})")
        locale = manifest.get("defaultLocale")
        if isinstance(locale, str) and locale:
            if not VALID_LOCALE.match(locale):
                self.add(where, f"defaultLocale {locale!r} is not a valid locale")
            elif not (self.app_dir / "translations" / f"{locale}.json").is_file():
                self.add(where, f"defaultLocale {locale!r} has no translations/{locale}.json")
        self.location_checks(manifest.get("location"))
        self.parameter_checks(manifest.get("parameters"))

    def location_checks(self, location: Any) -> None:
        where = "manifest.json"
        if location is None:
            return
        if not isinstance(location, dict):
            self.add(where, "location must be an object such as {\"support\": {\"ticket_sidebar\": {...}}}")
            return
        for host, places in location.items():
            known = LOCATIONS.get("support" if host == "zendesk" else host)
            if known is None:
                self.add(where, f"unknown location host {host!r}")
                continue
            if not isinstance(places, dict):
                self.add(where, f"location {host} must be an object of locations")
                continue
            for name, options in places.items():
                if name not in known:
                    self.add(where, f"unknown {host} location {name!r}")
                url = options if isinstance(options, str) else options.get("url") if isinstance(options, dict) else None
                if isinstance(options, dict) and "flexible" in options and not isinstance(options["flexible"], bool):
                    self.add(where, f"location {name} flexible must be true or false")
                if not isinstance(url, str) or not url:
                    if not (isinstance(options, dict) and options.get("autoLoad") is False):
                        self.add(where, f"location {name} needs a url")
                    continue
                self.location_url_check(name, url)

    def location_url_check(self, name: str, url: str) -> None:
        where = "manifest.json"
        if "{{setting." in url:
            return
        parts = urlsplit(url)
        if parts.scheme:
            if not (parts.scheme == "https" or parts.hostname == "localhost"):
                self.add(where, f"location {name} url must be https or localhost (got {url!r})")
        elif not parts.path.startswith("assets/") or not self.exists(parts.path):
            self.add(where, f"location {name} url {url!r} must be an existing file under assets/")

    def parameter_checks(self, parameters: Any) -> None:
        where = "manifest.json"
        if parameters is None:
            return
        if not isinstance(parameters, list):
            self.add(where, "parameters must be an array")
            return
        names: list[str] = []
        secure_names: list[str] = []
        oauth_count = 0
        for index, parameter in enumerate(parameters):
            if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str) or not parameter["name"]:
                self.add(where, f"parameters[{index}] needs a name")
                continue
            name = parameter["name"]
            kind = parameter.get("type", "text")
            names.append(name)
            if name == "name":
                self.add(where, "a parameter may not be called 'name'")
            if kind not in PARAMETER_TYPES:
                self.add(where, f"parameter {name}: unknown type {kind!r} (allowed: {', '.join(PARAMETER_TYPES)})")
            for flag in ("required", "secure"):
                if flag in parameter and not isinstance(parameter[flag], bool):
                    self.add(where, f"parameter {name}: {flag} must be true or false")
            secure = parameter.get("secure") is True
            if secure:
                secure_names.append(name)
            if kind == "hidden" and parameter.get("required") is True:
                self.add(where, f"parameter {name}: a hidden parameter cannot be required")
            if kind == "oauth":
                oauth_count += 1
                if secure:
                    self.add(where, f"parameter {name}: an oauth parameter cannot be secure")
            if SECURABLE_NAME.search(name) and kind in ("text", "password") and not secure:
                self.add(where, f"parameter {name} looks like a credential and must be secure: true")
            if "default" in parameter and (secure or kind == "hidden"):
                self.add(where, f"parameter {name}: a secure or hidden parameter must not have a default")
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            self.add(where, f"duplicate parameter(s): {', '.join(duplicates)}")
        if oauth_count > 1:
            self.add(where, "at most one oauth parameter")
        whitelist = self.manifest.get("domainWhitelist")
        if whitelist is not None and not (isinstance(whitelist, list) and all(isinstance(d, str) and d for d in whitelist)):
            self.add(where, "domainWhitelist must be an array of host names")
        elif secure_names and not whitelist:
            self.add(where, f"secure parameter(s) {', '.join(secure_names)} need a domainWhitelist with the sidecar's host")

    # --- translations --------------------------------------------------------------------------

    def translation_checks(self) -> None:
        folder = self.app_dir / "translations"
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        default = self.manifest.get("defaultLocale") or "en"
        loaded: dict[str, dict[str, Any]] = {}
        for path in files:
            relative = f"translations/{path.name}"
            if not VALID_LOCALE.match(path.stem):
                self.add(relative, f"{path.stem!r} is not a valid locale name")
            strings = self.load(relative)
            if strings is None:
                continue
            if not isinstance(strings, dict):
                self.add(relative, "must be a JSON object")
                continue
            loaded[path.stem] = strings
            parameters = lookup(strings, "app.parameters") or {}
            for name, node in parameters.items() if isinstance(parameters, dict) else ():
                if not isinstance(node, dict) or "label" not in node:
                    self.add(relative, f"app.parameters.{name} needs a label")
            for key in leaf_keys(strings):
                value = lookup(strings, key)
                text = value.get("value") if isinstance(value, dict) else value
                if not isinstance(text, str) or not text.strip():
                    self.add(relative, f"{key} must be a non-empty string")
        base = loaded.get(default)
        if base is None:
            return
        self.default_strings = base
        where = f"translations/{default}.json"
        for key in REQUIRED_APP_STRINGS:
            if not isinstance(lookup(base, f"app.{key}"), str):
                self.add(where, f"missing translation key app.{key}")
        for parameter in self.manifest.get("parameters") or []:
            name = parameter.get("name") if isinstance(parameter, dict) else None
            if isinstance(name, str) and not isinstance(lookup(base, f"app.parameters.{name}.label"), str):
                self.add(where, f"missing translation key app.parameters.{name}.label")
        expected = leaf_keys(base)
        for locale, strings in loaded.items():
            if locale == default:
                continue
            keys = leaf_keys(strings)
            for key in sorted(expected - keys):
                self.add(f"translations/{locale}.json", f"missing translation key {key}")
            for key in sorted(keys - expected):
                self.add(f"translations/{locale}.json", f"translation key {key} is not in {default}.json")

    def string_key_checks(self) -> None:
        if not self.default_strings:
            return
        for path in sorted((self.app_dir / "assets").glob("*.js")):
            for key in sorted(set(STRING_KEY.findall(path.read_text(encoding="utf-8")))):
                if lookup(self.default_strings, key) is None:
                    default = self.manifest.get("defaultLocale") or "en"
                    self.add(f"assets/{path.name}", f"uses translation key {key}, missing from translations/{default}.json")

    # --- assets --------------------------------------------------------------------------------

    def asset_checks(self) -> None:
        for relative, size in LOGOS.items():
            path = self.app_dir / relative
            if not path.is_file():
                self.add(relative, "is missing")
                continue
            actual = png_size(path)
            if actual is None:
                self.add(relative, "is not a PNG")
            elif actual != size:
                self.add(relative, f"must be {size[0]}x{size[1]} pixels (is {actual[0]}x{actual[1]})")
        for page in self.location_pages():
            self.page_checks(page)
        for name in sorted({name for name, _ in self.locations()} & set(ICON_LOCATIONS)):
            self.icon_check(f"assets/icon_{name}.svg", name)
        for path in sorted((self.app_dir / "assets").glob("*.js")):
            source = path.read_text(encoding="utf-8")
            for target in JS_IMPORT.findall(source):
                resolved = PurePosixPath("assets", target)
                if not self.exists(str(_normalise(resolved))):
                    self.add(f"assets/{path.name}", f"imports {target}, which does not exist")

    def icon_check(self, relative: str, location: str) -> None:
        try:
            root = ElementTree.parse(self.app_dir / relative).getroot()
        except (OSError, ElementTree.ParseError) as exc:
            problem = "is missing" if isinstance(exc, OSError) else f"is not valid SVG ({exc})"
            self.add(relative, f"{problem} (the {location} location shows it as the app's icon)")
            return
        # Zendesk sizes the icon by its viewBox: on <svg>, or on the <symbol id="default"> when symbols are used.
        default = next((node for node in root.iter(f"{SVG}symbol") if node.get("id") == "default"), root)
        if root.tag != f"{SVG}svg" or not default.get("viewBox"):
            self.add(relative, "must be an <svg> (xmlns http://www.w3.org/2000/svg) with a viewBox")

    def locations(self) -> list[tuple[str, Any]]:
        """(name, options) of every location in the manifest, whatever its host."""
        hosts = (self.manifest.get("location") or {}).values()
        return [(name, options) for places in hosts if isinstance(places, dict) for name, options in places.items()]

    def location_pages(self) -> list[str]:
        urls = [options if isinstance(options, str) else options.get("url") if isinstance(options, dict) else None
                for _, options in self.locations()]
        pages = [url for url in urls if isinstance(url, str) and url.startswith("assets/") and url.endswith(".html")]
        return sorted({page for page in pages if self.exists(page)})

    def page_checks(self, page: str) -> None:
        parser = _References()
        parser.feed((self.app_dir / page).read_text(encoding="utf-8"))
        sdk = [src for src in parser.scripts if src == SDK_URL]
        if len(sdk) != 1:
            self.add(page, f"must load the ZAF SDK exactly once from {SDK_URL}")
        for reference in parser.scripts + parser.links:
            parts = urlsplit(reference)
            if parts.scheme or reference.startswith("//"):
                if reference != SDK_URL:
                    self.add(page, f"loads {reference} from another site; ship it under assets/ instead")
                continue
            target = _normalise(PurePosixPath(page).parent / parts.path)
            if not self.exists(str(target)):
                self.add(page, f"refers to {reference}, which does not exist")

    # --- requirements.json ---------------------------------------------------------------------

    def requirement_checks(self) -> None:
        if not (self.app_dir / "requirements.json").is_file():
            return
        requirements = self.load("requirements.json")
        where = "requirements.json"
        if requirements is None:
            return
        if not isinstance(requirements, dict):
            self.add(where, "must be a JSON object")
            return
        unknown = [kind for kind in requirements if kind not in REQUIREMENT_TYPES]
        if unknown:
            self.add(where, f"unknown requirement type(s): {', '.join(unknown)}")
        for kind, entries in requirements.items():
            if not isinstance(entries, dict):
                self.add(where, f"{kind} must be an object of requirements keyed by identifier")
                continue
            for identifier, fields in entries.items():
                if not isinstance(fields, dict):
                    self.add(where, f"{kind}.{identifier} must be an object")
                    continue
                if kind not in UNTITLED_REQUIREMENT_TYPES and not fields.get("title"):
                    self.add(where, f"{kind}.{identifier} is missing the required field 'title'")
                if kind in ("user_fields", "organization_fields") and not fields.get("key"):
                    self.add(where, f"{kind}.{identifier} is missing the required field 'key'")
                if kind == "targets" and fields.get("type") in ("http_target", "url_target_v2"):
                    self.add(where, f"targets.{identifier}: {fields['type']} no longer works; use a webhook")
        webhooks = requirements.get("webhooks") if isinstance(requirements.get("webhooks"), dict) else {}
        for identifier, webhook in webhooks.items():
            if isinstance(webhook, dict):
                self.webhook_checks(identifier, webhook)
        for identifier, field in (requirements.get("ticket_fields") or {}).items():
            if isinstance(field, dict) and field.get("type") not in TICKET_FIELD_TYPES:
                self.add(where, f"ticket_fields.{identifier}: type {field.get('type')!r} is not a ticket field type")
        for identifier, trigger in (requirements.get("triggers") or {}).items():
            if isinstance(trigger, dict):
                self.trigger_checks(identifier, trigger, webhooks)

    def webhook_checks(self, identifier: str, webhook: dict[str, Any]) -> None:
        where = "requirements.json"
        for field in WEBHOOK_REQUIRED:
            if field not in webhook:
                self.add(where, f"webhooks.{identifier} is missing the required field {field!r}")
        endpoint = webhook.get("endpoint")
        if isinstance(endpoint, str) and urlsplit(endpoint).scheme != "https":
            self.add(where, f"webhooks.{identifier}: endpoint must be an https URL (got {endpoint!r})")
        if "http_method" in webhook and webhook["http_method"] not in WEBHOOK_METHODS:
            self.add(where, f"webhooks.{identifier}: http_method must be one of {', '.join(WEBHOOK_METHODS)}")
        if "request_format" in webhook and webhook["request_format"] not in WEBHOOK_FORMATS:
            self.add(where, f"webhooks.{identifier}: request_format must be one of {', '.join(WEBHOOK_FORMATS)}")
        if "status" in webhook and webhook["status"] not in WEBHOOK_STATUSES:
            self.add(where, f"webhooks.{identifier}: status must be active or inactive")
        subscriptions = webhook.get("subscriptions")
        if not isinstance(subscriptions, list) or "conditional_ticket_events" not in subscriptions:
            self.add(where, f"webhooks.{identifier}: subscriptions must include conditional_ticket_events for triggers")
        secret = webhook.get("signing_secret")
        if secret is not None and not (isinstance(secret, dict) and secret.get("algorithm") == "SHA256"
                                       and isinstance(secret.get("secret"), str) and secret["secret"]):
            self.add(where, f"webhooks.{identifier}: signing_secret must be {{\"algorithm\": \"SHA256\", \"secret\": \"...\"}}")

    def trigger_checks(self, identifier: str, trigger: dict[str, Any], webhooks: dict[str, Any]) -> None:
        where = "requirements.json"
        conditions = trigger.get("conditions")
        if not isinstance(conditions, dict) or not (conditions.get("all") or conditions.get("any")):
            self.add(where, f"triggers.{identifier} needs conditions (all and/or any)")
        else:
            for group in ("all", "any"):
                for condition in conditions.get(group) or []:
                    if not isinstance(condition, dict) or not condition.get("field") or not condition.get("operator"):
                        self.add(where, f"triggers.{identifier}: each condition needs a field and an operator")
        actions = trigger.get("actions")
        if not isinstance(actions, list) or not actions:
            self.add(where, f"triggers.{identifier} needs actions")
            return
        for action in actions:
            if not isinstance(action, dict) or "field" not in action or "value" not in action:
                self.add(where, f"triggers.{identifier}: each action needs a field and a value")
                continue
            if action["field"] != "notification_webhook":
                continue
            value = action["value"]
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)):
                self.add(where, f"triggers.{identifier}: notification_webhook value must be [webhook, body]")
                continue
            webhook, body = value
            if webhook not in webhooks:
                self.add(where, f"triggers.{identifier}: notification_webhook refers to webhook {webhook!r}, "
                                f"which is not in requirements.json webhooks")
            self.payload_checks(identifier, body)

    def payload_checks(self, identifier: str, body: str) -> None:
        where = f"requirements.json triggers.{identifier}"
        try:
            payload = json.loads(body)
        except ValueError as exc:
            self.add(where, f"the webhook body is not JSON ({exc})")
            return
        if not isinstance(payload, dict) or payload.get("event") not in ZENDESK_EVENTS:
            self.add(where, f"the webhook body's event must be one of {', '.join(ZENDESK_EVENTS)}")
            return
        ticket = payload.get("ticket")
        if not isinstance(ticket, dict) or ticket.get("id") != "{{ticket.id}}":
            self.add(where, "the webhook body needs ticket.id = \"{{ticket.id}}\"")
            return
        comment = ticket.get("latest_comment")
        if comment is not None:
            if not isinstance(comment, dict) or comment.get("author_role") not in AUTHOR_ROLES:
                self.add(where, f"latest_comment.author_role must be one of {', '.join(AUTHOR_ROLES)}")
            elif "body" not in comment:
                self.add(where, "latest_comment needs a body")


class _References(HTMLParser):
    """The script src and stylesheet href values of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.scripts.append(attributes["src"] or "")
        if tag == "link" and attributes.get("href"):
            self.links.append(attributes["href"] or "")


def _normalise(path: PurePosixPath) -> PurePosixPath:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts)


def validate_app(app_dir: Path | str = APP_DIR) -> list[Problem]:
    """Every problem with the app in `app_dir`; an empty list means Zendesk's rules (and ours) pass."""
    checks = _Checks(Path(app_dir))
    checks.manifest_checks()
    checks.translation_checks()
    checks.string_key_checks()
    checks.asset_checks()
    checks.requirement_checks()
    return checks.problems


def placeholders_left(app_dir: Path | str = APP_DIR) -> list[str]:
    """Placeholder values still in the domain whitelist or the webhooks (fine in the repository, not in a customer's zip)."""
    app_dir = Path(app_dir)
    found = []
    try:
        manifest = read_json(app_dir / "manifest.json")
        requirements = read_json(app_dir / "requirements.json") if (app_dir / "requirements.json").is_file() else {}
    except (OSError, ValueError):
        return found  # validate_app reports unreadable files
    for domain in manifest.get("domainWhitelist") or []:
        if any(value in str(domain) for value in PLACEHOLDERS):
            found.append(f"manifest.json domainWhitelist still contains the placeholder {domain}")
    for identifier, webhook in (requirements.get("webhooks") or {}).items():
        if not isinstance(webhook, dict):
            continue
        endpoint = str(webhook.get("endpoint", ""))
        secret = str((webhook.get("signing_secret") or {}).get("secret", ""))
        for value in PLACEHOLDERS:
            if value in endpoint:
                found.append(f"requirements.json webhooks.{identifier} endpoint still contains the placeholder {value}")
            if value in secret:
                found.append(f"requirements.json webhooks.{identifier} signing secret is still the placeholder {value}")
    return found


def main(argv: list[str] | None = None) -> int:
    """Print the problems of an app directory; exit 1 if there are any."""
    args = sys.argv[1:] if argv is None else argv
    app_dir = Path(args[0]) if args else APP_DIR
    problems = validate_app(app_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{app_dir}: the app passes Zendesk's rules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
