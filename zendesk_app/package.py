"""Validate the Zendesk app and build the zip to upload (Admin Center > Apps > Upload private app).

    python zendesk_app/package.py [--out DIR] [--sidecar-url URL] [--installation-id ID]
                                  [--webhook-secret SECRET] [--strict] [--signed-urls]

The zip holds manifest.json, requirements.json, translations/ and assets/ (no tests, node_modules
or dotfiles), plus a copy of translations/ under assets/translations/, because Zendesk serves only
assets/ to the iframe and the sidebar loads its strings from there. Files are written in a fixed
order with a fixed timestamp, so the same sources give the same zip.

The repository ships placeholders (sidecar.example.com, INSTALLATION_ID, a dummy signing secret).
--sidecar-url puts the sidecar's host in domainWhitelist (Zendesk only sends secure settings to
whitelisted hosts) and in the webhook endpoint, --installation-id completes the endpoint path, and
--webhook-secret sets the webhook's signing secret (the same value goes into the sidecar as
zendesk.webhook_secret). Placeholders left are warnings, or errors with --strict.

--signed-urls makes the sidebar a server-side location: its URL becomes SIDECAR_URL/zendesk/app/ID with
"signedUrls": true, so Zendesk POSTs the first request with an RS256 token naming the agent, and the
sidecar (with zendesk.app_public_key set) answers with the app and an agent session. Escalations then
record the agent id as verified, which a browser-made JWT cannot.

The last line printed on stdout is the zip's path; problems go to stderr with exit status 1.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from validate import APP_DIR, placeholders_left, validate_app

ZIP_PREFIX = "escalation-sidecar-zendesk-app"
EXCLUDED_PARTS = {"node_modules", "tests", "test", "__pycache__", "dist", "tmp"}
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
PLACEHOLDER_HOST = "sidecar.example.com"
PLACEHOLDER_INSTALLATION = "INSTALLATION_ID"


class PackagingError(Exception):
    """The app cannot be packaged; the message says why."""


def package_files(app_dir: Path) -> list[str]:
    """The app's files that belong in the zip, as sorted relative POSIX paths."""
    files = ["manifest.json"]
    if (app_dir / "requirements.json").is_file():
        files.append("requirements.json")
    for folder in ("translations", "assets"):
        for path in sorted((app_dir / folder).rglob("*")):
            relative = path.relative_to(app_dir)
            if not path.is_file() or any(part.startswith(".") or part in EXCLUDED_PARTS for part in relative.parts):
                continue
            files.append(relative.as_posix())
    files += [f"assets/{name}" for name in translation_copies(app_dir)]
    return sorted(set(files))


def translation_copies(app_dir: Path) -> list[str]:
    """translations/<locale>.json files the zip also carries under assets/ (for the iframe to fetch)."""
    return [f"translations/{path.name}" for path in sorted((app_dir / "translations").glob("*.json"))]


def _sidecar_host(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise PackagingError(f"--sidecar-url must be an https URL such as https://sidecar.acme.com (got {url!r})")
    return parts.hostname


def customise(stage: Path, *, sidecar_url: str | None, installation_id: str | None, webhook_secret: str | None,
              signed_urls: bool = False) -> None:
    """Write one customer's sidecar host, installation id and webhook secret into a staged copy."""
    manifest_path = stage / "manifest.json"
    requirements_path = stage / "requirements.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    requirements = json.loads(requirements_path.read_text(encoding="utf-8")) if requirements_path.is_file() else {}
    if installation_id is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", installation_id):
        raise PackagingError(f"--installation-id must be letters, digits, _ or - (got {installation_id!r})")
    if sidecar_url:
        host = _sidecar_host(sidecar_url)
        whitelist = [domain for domain in manifest.get("domainWhitelist") or [] if domain != PLACEHOLDER_HOST]
        manifest["domainWhitelist"] = [host, *[domain for domain in whitelist if domain != host]]
    if signed_urls:
        # Zendesk then POSTs the sidebar's first request to the sidecar with a token it signs itself,
        # naming the agent: the sidecar serves the app from there with a verified agent session.
        if not sidecar_url or not installation_id:
            raise PackagingError("--signed-urls needs --sidecar-url and --installation-id (the sidebar is served "
                                 "from SIDECAR_URL/zendesk/app/INSTALLATION_ID)")
        manifest["signedUrls"] = True
        sidebar = manifest["location"]["support"]["ticket_sidebar"]
        sidebar["url"] = f"{sidecar_url.rstrip('/')}/zendesk/app/{installation_id}"
    for webhook in (requirements.get("webhooks") or {}).values():
        endpoint = webhook.get("endpoint", "")
        if sidecar_url:
            endpoint = re.sub(r"^https://" + re.escape(PLACEHOLDER_HOST), sidecar_url.rstrip("/"), endpoint)
        if installation_id:
            endpoint = endpoint.replace(PLACEHOLDER_INSTALLATION, installation_id)
        webhook["endpoint"] = endpoint
        if webhook_secret:
            webhook["signing_secret"] = {"algorithm": "SHA256", "secret": webhook_secret}
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if requirements:
        requirements_path.write_text(json.dumps(requirements, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _stage(app_dir: Path, stage: Path) -> None:
    for relative in package_files(app_dir):
        if relative.startswith("assets/translations/") and not (app_dir / relative).is_file():
            continue  # generated below
        target = stage / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(app_dir / relative, target)


def build(
    app_dir: Path | str = APP_DIR,
    *,
    out_dir: Path | str | None = None,
    sidecar_url: str | None = None,
    installation_id: str | None = None,
    webhook_secret: str | None = None,
    strict: bool = False,
    signed_urls: bool = False,
) -> tuple[Path, list[str]]:
    """Validate and zip the app: (zip path, warnings). Raises PackagingError listing every problem."""
    app_dir = Path(app_dir)
    out = Path(out_dir) if out_dir else app_dir / "dist"
    with tempfile.TemporaryDirectory(prefix="zendesk-app-") as temporary:
        stage = Path(temporary)
        _stage(app_dir, stage)
        if (stage / "manifest.json").is_file():
            try:
                customise(stage, sidecar_url=sidecar_url, installation_id=installation_id, webhook_secret=webhook_secret,
                          signed_urls=signed_urls)
            except ValueError as exc:
                raise PackagingError(f"manifest.json or requirements.json is not valid JSON ({exc})") from None
        problems = [str(problem) for problem in validate_app(stage)]
        warnings = placeholders_left(stage)
        if strict:
            problems += warnings
            warnings = []
        if problems:
            raise PackagingError("\n".join(problems))
        version = json.loads((stage / "manifest.json").read_text(encoding="utf-8")).get("version") or "0.0.0"
        safe_version = re.sub(r"[^A-Za-z0-9._-]", "_", str(version))
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{ZIP_PREFIX}-{safe_version}.zip"
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for relative in package_files(stage):
                source = stage / relative
                if relative.startswith("assets/translations/"):
                    source = stage / relative.removeprefix("assets/")
                info = zipfile.ZipInfo(relative, date_time=FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, source.read_bytes())
    return target, warnings


def main(argv: list[str] | None = None) -> int:
    """Command line: validate, build, print the zip path last."""
    parser = argparse.ArgumentParser(description="Validate the Zendesk app and build its zip.")
    parser.add_argument("--out", help="directory for the zip (default: zendesk_app/dist)")
    parser.add_argument("--sidecar-url", help="the sidecar's https URL: whitelisted domain and webhook endpoint")
    parser.add_argument("--installation-id", help="the sidecar installation id for the webhook endpoint")
    parser.add_argument("--webhook-secret", help="the webhook's signing secret (also set zendesk.webhook_secret on the sidecar)")
    parser.add_argument("--strict", action="store_true", help="placeholders left are errors")
    parser.add_argument("--signed-urls", action="store_true",
                        help="serve the sidebar from the sidecar with Zendesk-signed agent identity (signedUrls)")
    parser.add_argument("--app-dir", default=str(APP_DIR), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        target, warnings = build(args.app_dir, out_dir=args.out, sidecar_url=args.sidecar_url,
                                 installation_id=args.installation_id, webhook_secret=args.webhook_secret,
                                 strict=args.strict, signed_urls=args.signed_urls)
    except PackagingError as exc:
        print("The Zendesk app is not valid:", file=sys.stderr)
        for line in str(exc).splitlines():
            print(f"  {line}", file=sys.stderr)
        return 1
    for warning in warnings:
        print(f"warning: {warning} (set it with --sidecar-url / --installation-id / --webhook-secret)", file=sys.stderr)
    print(target.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
