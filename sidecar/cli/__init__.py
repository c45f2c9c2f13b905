"""The `sidecar` command: one module per command group, over the shared helpers of `runtime.py`.

`main` imports no command module: each is imported when its command runs (`lazy.py`), so starting the
command stays fast. A new command goes in its module and in COMMANDS, with the first paragraph of its help.
"""
from __future__ import annotations

import click

from sidecar.cli.lazy import LazyCommand, LazyGroup

COMMANDS = {
    "db": LazyCommand("sidecar.cli.database", "db", "Database schema management."),
    "demo": LazyCommand("sidecar.cli.demo", "demo", "Set up the embedded demo (schema, demo installation, demo "
                                                    "tickets), print its token, and serve."),
    "eval": LazyCommand("sidecar.cli.evaluate", "eval_group", "Measure the sidecar's decisions on a labelled history "
                                                              "file."),
    "experts": LazyCommand("sidecar.cli.experts", "experts", "Teams, experts and routing rules."),
    "history": LazyCommand("sidecar.cli.history", "history_group", "Ticket history kept for routing and "
                                                                  "similar-incident search."),
    "import": LazyCommand("sidecar.cli.imports", "import_group", "Import ticket history (what routing learns from "
                                                                "and similar-incident search finds)."),
    "installation": LazyCommand("sidecar.cli.installation", "installation", "Installations (tenants): one Zendesk "
                                                                            "subdomain or Salesforce org each."),
    "jobs": LazyCommand("sidecar.cli.jobs", "jobs", "Outbox jobs: see what waits or died, and retry."),
    "keygen": LazyCommand("sidecar.cli.keygen", "keygen", "Print a new SIDECAR_ENCRYPTION_KEY value."),
    "retention": LazyCommand("sidecar.cli.retention", "retention_group", "Retention: purge data older than an "
                                                                        "installation's window (PUT "
                                                                        "/v1/settings/retention)."),
    "score": LazyCommand("sidecar.cli.score", "score", "Print the assessment of a ticket file (the API's ticket JSON, "
                                                       "or {\"ticket\": {...}})."),
    "serve": LazyCommand("sidecar.cli.serve", "serve", "Run the web app and, unless SIDECAR_EMBEDDED_WORKER=false, "
                                                       "one outbox worker process, on DATABASE_URL."),
    "token": LazyCommand("sidecar.cli.tokens", "token", "Scoped API tokens: admin (everything), agent (assess, "
                                                        "escalate, feedback, read), read."),
    "train": LazyCommand("sidecar.cli.train", "train", "Train the installation's router and escalation model from "
                                                       "its stored history; each new version is stored."),
    "worker": LazyCommand("sidecar.cli.serve", "worker", "Run the outbox worker in the foreground: delivers "
                                                         "escalations (Jira, ticket notes, Slack) until stopped."),
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
@click.version_option(package_name="escalation-sidecar")
def main() -> None:
    """Escalation sidecar: assess support tickets, route them to experts, escalate to Jira and Slack."""
