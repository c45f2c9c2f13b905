"""`sidecar demo`: the embedded demo (schema, demo installation, its directory and past incidents), then serve it."""
from __future__ import annotations

import os

import click

from sidecar.cli.runtime import database_for, load_config, secret_box
from sidecar.cli.serve import serve_app
from sidecar.demo import set_up_demo
from sidecar.store.migrate import upgrade_database


def _print_try(token: str, host: str, port: int) -> None:
    base = f"http://{host}:{port}"
    auth = f"-H 'Authorization: Bearer {token}'"
    click.echo("Try:")
    click.echo(f"  curl -s {auth} -H 'Content-Type: application/json' "
               f"-d @sidecar/demo/refund_ticket.json {base}/v1/assessments")
    click.echo("  # escalate it (dry-run: no Jira/Slack credentials, so each step shows the request it would send)")
    click.echo(f"  curl -s {auth} -H 'Content-Type: application/json' "
               f"-d @sidecar/demo/refund_ticket.json {base}/v1/escalations")
    click.echo("  # what was assessed and escalated today, and the trend")
    click.echo(f"  curl -s {auth} {base}/v1/analytics/summary")
    click.echo(f"  curl -s {auth} '{base}/v1/analytics/timeseries?metric=escalations&interval=day'")
    click.echo(f"  # the Zendesk sidebar app in a page that plays Zendesk (dry-run): {base}/preview/zendesk")
    click.echo(f"  # its analytics dashboard in Zendesk's nav bar, as an admin sees it: {base}/preview/zendesk/nav_bar")
    click.echo(f"  # the admin console (sign in with the admin API token above): {base}/admin")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--no-serve", is_flag=True, help="set up the demo and exit")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Set up the embedded demo (schema, demo installation, demo tickets), print its token, and serve."""
    config = load_config()
    with database_for(config) as database:
        upgrade_database(database)
        with database.session() as session:
            summary = set_up_demo(session, box=secret_box(config))
    token = summary["api_token"]
    click.echo(f"Demo installation {summary['id']} ({summary['name']}) "
               f"with {summary['tickets']} open demo tickets to assess.")
    click.echo(f"Admin API token (new on every demo start): {token}")
    _print_try(token, host, port)
    if not no_serve:
        config = config.with_overrides(preview_installation_id=summary["id"], preview_token=summary["agent_token"])
        serve_app(config, host, port, int(os.environ.get("WEB_CONCURRENCY", "2")))
