"""The Jinja environment every sidecar template renders in: operator overrides first, then the built-ins."""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from sidecar.rendering.adf import (
    escape_code,
    escape_markup,
    markup_link,
    markup_quote,
    safe_url,
)


def _builtin_templates_dir() -> Path:
    """templates/ of the source tree (checkout, editable install), else where a wheel install put it."""
    source_tree = Path(__file__).resolve().parents[2] / "templates"
    if source_tree.is_dir():
        return source_tree
    return Path(sys.prefix) / "share" / "escalation-sidecar" / "templates"


BUILTIN_TEMPLATES_DIR = _builtin_templates_dir()


def template_environment(override_dir: str | Path | None = None) -> jinja2.Environment:
    """The template environment: `override_dir` (an operator's templates) first, then templates/.

    An operator overrides one template by putting a file with the same relative name (e.g.
    ``jira/issue_description.md.j2``) in their directory; the others keep coming from templates/.
    Undefined variables are errors (StrictUndefined), so a typo in a template fails loudly in tests.
    One environment is kept per directory. ValueError when `override_dir` is not a directory.
    """
    key = None
    if override_dir is not None and str(override_dir).strip():
        path = Path(override_dir).expanduser().resolve()
        if not path.is_dir():
            raise ValueError(f"template override directory {str(override_dir)!r} does not exist or is not a directory")
        key = str(path)
    return _environment(key)


@lru_cache(maxsize=32)
def _environment(override_dir: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override_dir:
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES_DIR)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Nothing here is HTML: each output format escapes with its own filter (md, mrkdwn).
        autoescape=False,
    )
    env.filters.update({
        "md": escape_markup,
        "md_code": escape_code,
        "md_link": markup_link,
        "md_quote": markup_quote,
        "mrkdwn": escape_mrkdwn,
        "slack_link": slack_link,
    })
    return env


def escape_mrkdwn(value: Any) -> str:
    """The `mrkdwn` filter: Slack's control characters & < > as entities, so user text can never become a
    mention (<!channel>, <@U1>) or a link."""
    if value is None:
        return ""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(text: Any, url: Any) -> str:
    """The `slack_link` filter: <url|text> for an http(s)/mailto URL, the escaped text alone otherwise."""
    label = escape_mrkdwn(" ".join(str(text or "").split()))
    href = safe_url(url)
    if href is None:
        return label
    href = href.replace("|", "%7C").replace("&", "&amp;")
    return f"<{href}|{label}>" if label else f"<{href}>"
