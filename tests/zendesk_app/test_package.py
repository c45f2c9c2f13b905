"""The Zendesk app's offline validation (Zendesk's rules, ported) and its packaging."""
from __future__ import annotations

import importlib.util
import json
import shutil
import struct
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parents[2] / "zendesk_app"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"zendesk_app_{name}", APP_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


validate = _load("validate")
package = _load("package")

EXPECTED_FILES = {
    "manifest.json",
    "requirements.json",
    "translations/en.json",
    "translations/de.json",
    "assets/iframe.html",
    "assets/nav_bar.html",
    "assets/icon_nav_bar.svg",
    "assets/dashboard.css",
    "assets/utilities.css",
    "assets/nav_bar.js",
    "assets/dashboard.js",
    "assets/analytics.js",
    "assets/vendor/chartjs/chart.umd.js",
    "assets/vendor/chartjs/LICENSE.md",
    "assets/vendor/chartjs/VERSIONS.txt",
    "assets/app.css",
    "assets/app.js",
    "assets/api.js",
    "assets/constants.js",
    "assets/flow.js",
    "assets/i18n.js",
    "assets/ticket.js",
    "assets/view.js",
    "assets/logo.png",
    "assets/logo-small.png",
    "assets/translations/en.json",
    "assets/translations/de.json",
    "assets/vendor/garden/LICENSE.md",
    "assets/vendor/garden/VERSIONS.txt",
    "assets/vendor/garden/bedrock.css",
    "assets/vendor/garden/buttons.css",
    "assets/vendor/garden/callouts.css",
    "assets/vendor/garden/forms.css",
    "assets/vendor/garden/tags.css",
}


@pytest.fixture
def app_copy(tmp_path) -> Path:
    """A copy of the app to break."""
    target = tmp_path / "app"
    shutil.copytree(APP_DIR, target, ignore=shutil.ignore_patterns("node_modules", "dist", "tmp", "__pycache__"))
    return target


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def messages(app_dir: Path) -> list[str]:
    return [str(problem) for problem in validate.validate_app(app_dir)]


def tiny_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x00\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def parameter(manifest: dict, name: str) -> dict:
    return next(p for p in manifest["parameters"] if p["name"] == name)


def test_the_app_passes_zendesks_rules_and_ours():
    assert validate.validate_app(APP_DIR) == []


def test_the_manifest_declares_what_the_sidebar_needs():
    manifest = json.loads((APP_DIR / "manifest.json").read_text())
    assert manifest["frameworkVersion"] == "2.0"
    assert manifest["location"] == {"support": {"ticket_sidebar": {"url": "assets/iframe.html", "flexible": True},
                                                "nav_bar": {"url": "assets/nav_bar.html"}}}
    secure = {p["name"] for p in manifest["parameters"] if p.get("secure")}
    assert secure == {"shared_secret", "api_token"}
    assert parameter(manifest, "sidecar_url") == {"name": "sidecar_url", "type": "url", "required": True}
    assert parameter(manifest, "installation_id")["required"] is True
    assert manifest["domainWhitelist"] == ["sidecar.example.com"]


BREAKAGES = [
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m.pop("author")),
                 "manifest.json: missing required field(s): author", id="missing-author"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m["author"].pop("email")),
                 "manifest.json: author email is required", id="author-without-email"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m.update(frameworkVersion="1.0")),
                 'manifest.json: frameworkVersion must be "2.0" (got \'1.0\')', id="framework-1.0"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m.pop("frameworkVersion")),
                 "manifest.json: missing required field(s): frameworkVersion", id="no-framework-version"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: parameter(m, "api_token").pop("secure")),
                 "manifest.json: parameter api_token looks like a credential and must be secure: true",
                 id="insecure-token"),
    pytest.param(lambda app: edit_json(app / "manifest.json",
                                       lambda m: parameter(m, "shared_secret").update(secure=False)),
                 "manifest.json: parameter shared_secret looks like a credential and must be secure: true",
                 id="insecure-secret"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m["parameters"].append(
        {"name": "name", "type": "text"})),
                 "manifest.json: a parameter may not be called 'name'", id="parameter-called-name"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m["parameters"].append(
        {"name": "region", "type": "hidden", "required": True})),
                 "manifest.json: parameter region: a hidden parameter cannot be required", id="hidden-required"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m["parameters"].append(
        {"name": "login", "type": "oauth", "secure": True})),
                 "manifest.json: parameter login: an oauth parameter cannot be secure", id="secure-oauth"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m["parameters"].append(
        {"name": "colour", "type": "colour"})),
                 "manifest.json: parameter colour: unknown type 'colour'", id="unknown-type"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: parameter(m, "api_token").update(default="x")),
                 "manifest.json: parameter api_token: a secure or hidden parameter must not have a default",
                 id="secure-default"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m.pop("domainWhitelist")),
                 "manifest.json: secure parameter(s) shared_secret, api_token need a domainWhitelist",
                 id="no-whitelist"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m.update(private="yes")),
                 "manifest.json: private must be true or false", id="private-not-boolean"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m["location"]["support"][
        "ticket_sidebar"].update(url="assets/missing.html")),
                 "manifest.json: location ticket_sidebar url 'assets/missing.html' must be an existing file "
                 "under assets/",
                 id="missing-location-file"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m["location"]["support"][
        "ticket_sidebar"].update(url="http://sidecar.acme.com/app")),
                 "manifest.json: location ticket_sidebar url must be https or localhost", id="http-location"),
    pytest.param(lambda app: edit_json(app / "manifest.json", lambda m: m.update(defaultLocale="fr")),
                 "manifest.json: defaultLocale 'fr' has no translations/fr.json", id="default-locale-without-file"),
    pytest.param(lambda app: edit_json(app / "translations/de.json", lambda s: s["ui"]["preview"].pop("confirm")),
                 "translations/de.json: missing translation key ui.preview.confirm", id="missing-translation-key"),
    pytest.param(lambda app: edit_json(app / "translations/de.json", lambda s: s["ui"].update(extra="Extra")),
                 "translations/de.json: translation key ui.extra is not in en.json", id="extra-translation-key"),
    pytest.param(lambda app: edit_json(app / "translations/en.json", lambda s: s["app"].pop("long_description")),
                 "translations/en.json: missing translation key app.long_description", id="missing-app-string"),
    pytest.param(lambda app: edit_json(app / "translations/en.json",
                                       lambda s: s["app"]["parameters"]["sidecar_url"].pop("label")),
                 "translations/en.json: app.parameters.sidecar_url needs a label", id="parameter-without-label"),
    pytest.param(lambda app: (app / "assets/extra.js").write_text(
        "export const x = (t) => t('ui.preview.not_there');\n"),
                 "assets/extra.js: uses translation key ui.preview.not_there, missing from translations/en.json",
                 id="js-uses-unknown-key"),
    pytest.param(lambda app: (app / "assets/logo-small.png").write_bytes(tiny_png(64, 64)),
                 "assets/logo-small.png: must be 128x128 pixels (is 64x64)", id="wrong-logo-size"),
    pytest.param(lambda app: (app / "assets/logo.png").write_bytes(b"GIF89a not a png"),
                 "assets/logo.png: is not a PNG", id="logo-not-png"),
    pytest.param(lambda app: (app / "assets/iframe.html").write_text(
        (app / "assets/iframe.html").read_text().replace("zaf_sdk.min.js", "zaf_sdk.js")),
                 "assets/iframe.html: must load the ZAF SDK exactly once from "
                 "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js", id="sdk-url-changed"),
    pytest.param(lambda app: (app / "assets/view.js").unlink(),
                 "assets/app.js: imports ./view.js, which does not exist", id="missing-module"),
    pytest.param(lambda app: (app / "assets/app.css").unlink(),
                 "assets/iframe.html: refers to app.css, which does not exist", id="missing-stylesheet"),
    pytest.param(lambda app: edit_json(app / "requirements.json", lambda r: r["triggers"][
        "sidecar_customer_comment"]["actions"][0]["value"].__setitem__(0, "no_such_webhook")),
                 "requirements.json: triggers.sidecar_customer_comment: notification_webhook refers to webhook "
                 "'no_such_webhook', which is not in requirements.json webhooks", id="trigger-missing-webhook"),
    pytest.param(lambda app: edit_json(app / "requirements.json",
                                       lambda r: r["webhooks"]["sidecar_ticket_events"].pop("endpoint")),
                 "requirements.json: webhooks.sidecar_ticket_events is missing the required field 'endpoint'",
                 id="webhook-without-endpoint"),
    pytest.param(lambda app: edit_json(app / "requirements.json",
                                       lambda r: r["triggers"]["sidecar_agent_comment"].pop("title")),
                 "requirements.json: triggers.sidecar_agent_comment is missing the required field 'title'",
                 id="trigger-without-title"),
    pytest.param(lambda app: edit_json(app / "requirements.json", lambda r: r.update(widgets={})),
                 "requirements.json: unknown requirement type(s): widgets", id="unknown-requirement-type"),
    pytest.param(lambda app: edit_json(app / "requirements.json",
                                       lambda r: r["ticket_fields"]["jira_issue_key"].update(type="string")),
                 "requirements.json: ticket_fields.jira_issue_key: type 'string' is not a ticket field type",
                 id="bad-ticket-field-type"),
    pytest.param(lambda app: edit_json(app / "requirements.json", lambda r: r["triggers"][
        "sidecar_status_changed"]["actions"][0]["value"].__setitem__(
            1, '{"event": "ticket_deleted", "ticket": {"id": "{{ticket.id}}"}}')),
                 "requirements.json triggers.sidecar_status_changed: the webhook body's event must be one of "
                 "ticket_created, comment_added, ticket_updated", id="unknown-trigger-event"),
    pytest.param(lambda app: (app / "assets/icon_nav_bar.svg").unlink(),
                 "assets/icon_nav_bar.svg: is missing (the nav_bar location shows it as the app's icon)",
                 id="missing-nav-bar-icon"),
    pytest.param(lambda app: (app / "assets/icon_nav_bar.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><circle cx="9" cy="9" r="5"/></svg>'),
                 "assets/icon_nav_bar.svg: must be an <svg> (xmlns http://www.w3.org/2000/svg) with a viewBox",
                 id="nav-bar-icon-without-viewbox"),
    pytest.param(lambda app: (app / "assets/icon_nav_bar.svg").write_text("<svg"),
                 "assets/icon_nav_bar.svg: is not valid SVG", id="nav-bar-icon-not-xml"),
    pytest.param(lambda app: (app / "assets/vendor/chartjs/chart.umd.js").unlink(),
                 "assets/nav_bar.html: refers to vendor/chartjs/chart.umd.js, which does not exist",
                 id="missing-chartjs"),
    pytest.param(lambda app: (app / "assets/analytics.js").unlink(),
                 "assets/dashboard.js: imports ./analytics.js, which does not exist", id="missing-dashboard-module"),
    pytest.param(lambda app: (app / "assets/nav_bar.html").write_text(
        (app / "assets/nav_bar.html").read_text().replace("vendor/chartjs/chart.umd.js",
                                                          "https://cdn.jsdelivr.net/npm/chart.js")),
                 "assets/nav_bar.html: loads https://cdn.jsdelivr.net/npm/chart.js from another site",
                 id="chartjs-from-a-cdn"),
    pytest.param(lambda app: (app / "requirements.json").write_text('{"ticket_fields": {}, "ticket_fields": {}}'),
                 "requirements.json: duplicate key 'ticket_fields'", id="duplicate-requirement-key"),
]


@pytest.mark.parametrize(("breakage", "message"), BREAKAGES)
def test_a_broken_copy_fails_with_the_right_message(app_copy, breakage, message):
    breakage(app_copy)
    found = messages(app_copy)
    assert any(problem.startswith(message) for problem in found), found


def test_packaging_writes_the_expected_files_and_nothing_else(app_copy, tmp_path):
    (app_copy / "assets/.DS_Store").write_bytes(b"junk")
    (app_copy / "assets/tests").mkdir()
    (app_copy / "assets/tests/scratch.test.js").write_text("x")
    (app_copy / "node_modules/left-pad").mkdir(parents=True)
    (app_copy / "node_modules/left-pad/index.js").write_text("x")
    target, warnings = package.build(app_copy, out_dir=tmp_path / "out")
    assert target == tmp_path / "out" / "escalation-sidecar-zendesk-app-1.0.0.zip"
    with zipfile.ZipFile(target) as archive:
        assert set(archive.namelist()) == EXPECTED_FILES
        assert archive.read("assets/translations/de.json") == (app_copy / "translations/de.json").read_bytes()
        assert archive.read("assets/logo.png") == (app_copy / "assets/logo.png").read_bytes()
    assert any("sidecar.example.com" in warning for warning in warnings)


def test_the_same_sources_give_the_same_zip(app_copy, tmp_path):
    first, _ = package.build(app_copy, out_dir=tmp_path / "one")
    second, _ = package.build(app_copy, out_dir=tmp_path / "two")
    assert first.read_bytes() == second.read_bytes()


def test_the_command_prints_the_zip_path_last(tmp_path, capsys):
    assert package.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr()
    last = out.out.strip().splitlines()[-1]
    assert last == str((tmp_path / "escalation-sidecar-zendesk-app-1.0.0.zip").resolve())
    assert Path(last).is_file()
    assert "placeholder sidecar.example.com" in out.err


def test_the_command_refuses_an_invalid_app_and_writes_nothing(app_copy, tmp_path, capsys):
    edit_json(app_copy / "manifest.json", lambda m: m.update(frameworkVersion="1.0"))
    assert package.main(["--app-dir", str(app_copy), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "The Zendesk app is not valid:" in err
    assert 'frameworkVersion must be "2.0"' in err
    assert not (tmp_path / "out").exists()


def test_a_customer_package_gets_their_sidecar_host_endpoint_and_secret(app_copy, tmp_path):
    target, warnings = package.build(app_copy, out_dir=tmp_path, sidecar_url="https://sidecar.acme.com",
                                     installation_id="inst_abc123", webhook_secret="whsec-42", strict=True)
    assert warnings == []
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        requirements = json.loads(archive.read("requirements.json"))
    assert manifest["domainWhitelist"] == ["sidecar.acme.com"]
    webhook = requirements["webhooks"]["sidecar_ticket_events"]
    assert webhook["endpoint"] == "https://sidecar.acme.com/webhooks/zendesk/inst_abc123"
    assert webhook["signing_secret"] == {"algorithm": "SHA256", "secret": "whsec-42"}
    # the sources are untouched
    assert json.loads((app_copy / "manifest.json").read_text())["domainWhitelist"] == ["sidecar.example.com"]


def test_strict_packaging_refuses_placeholders(app_copy, tmp_path):
    with pytest.raises(package.PackagingError,
                       match="domainWhitelist still contains the placeholder sidecar.example.com"):
        package.build(app_copy, out_dir=tmp_path, strict=True)


def test_a_sidecar_url_must_be_https(app_copy, tmp_path):
    with pytest.raises(package.PackagingError, match="must be an https URL"):
        package.build(app_copy, out_dir=tmp_path, sidecar_url="http://sidecar.acme.com")


def test_signed_urls_serve_the_sidebar_from_the_sidecar_with_zendesk_signed_identity(app_copy, tmp_path):
    target, _ = package.build(app_copy, out_dir=tmp_path, sidecar_url="https://sidecar.acme.com",
                              installation_id="inst_abc123", webhook_secret="whsec-42", strict=True, signed_urls=True)
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["signedUrls"] is True
    assert manifest["location"]["support"]["ticket_sidebar"]["url"] == "https://sidecar.acme.com/zendesk/app/inst_abc123"
    # The dashboard stays a packaged page: it signs its calls with the shared secret like an unsigned sidebar.
    assert manifest["location"]["support"]["nav_bar"] == {"url": "assets/nav_bar.html"}
    with pytest.raises(package.PackagingError, match="--signed-urls needs --sidecar-url and --installation-id"):
        package.build(app_copy, out_dir=tmp_path, sidecar_url="https://sidecar.acme.com", signed_urls=True)
