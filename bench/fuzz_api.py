"""Schema fuzzing of /openapi.json at length: every schemathesis phase over every operation, for minutes.

The test command runs a bounded pass (tests/api/test_openapi_fuzz.py); this is the long run whose figures
are in the README ("Measured figures"). Same harness (tests/api/fuzzing.py): the in-process app, three
installations (the one that fuzzes every operation never gets help-desk credentials, so nothing reaches a
vendor), sockets closed, an admin API token; `--agent` uses the sidebar's ZAF JWT (agent scope) instead.
Prints each problem found, then one JSON line: operations, requests, kinds of 5xx, undocumented statuses,
valid requests refused, distinct check failures, network attempts, requests per phase.

    python bench/fuzz_api.py [--seconds 600] [--examples 100] [--seed N] [--agent]

On SQLite in a temporary directory unless DATABASE_URL names another database (which is emptied first).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jwt  # noqa: E402

from sidecar import create_app  # noqa: E402
from sidecar.config import normalise_database_url, testing_config  # noqa: E402
from sidecar.services.installations import create_installation  # noqa: E402
from sidecar.store.crypto import SecretBox, generate_key  # noqa: E402
from sidecar.store.db import Database  # noqa: E402
from sidecar.store.migrate import upgrade_database  # noqa: E402
from sidecar.store.models import Base  # noqa: E402
from tests.api.fuzzing import Tokens, database_hosts, fuzz  # noqa: E402


def agent_jwt(installation: dict, lifetime: int) -> str:
    """A ZAF JWT of the installation (agent scope), valid for the whole run."""
    now = int(time.time())
    return jwt.encode({"iss": installation["id"], "iat": now, "exp": now + lifetime}, installation["shared_secret"],
                      algorithm="HS256")


def main() -> None:
    """Build the app on a fresh database, fuzz it, print the problems and the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=600, help="fuzz in new cycles until this is spent")
    parser.add_argument("--examples", type=int, default=100, help="cases per operation and phase in a cycle")
    parser.add_argument("--seed", type=int, default=None, help="for a run that can be repeated exactly")
    parser.add_argument("--agent", action="store_true", help="fuzz with agent-scope ZAF JWTs")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL")
    url = normalise_database_url(url) if url else f"sqlite:///{tempfile.mkdtemp(prefix='sidecar-fuzz-')}/fuzz.sqlite3"
    database = Database(url)
    with database.engine.begin() as connection:
        Base.metadata.drop_all(connection)
    upgrade_database(database)
    database.dispose()
    key = generate_key()
    app = create_app(testing_config(url, encryption_key=key))
    # The harness collects each unhandled exception as a kind of 5xx; printing every one would bury the figures.
    logging.getLogger("sidecar.api").propagate = False
    with app.extensions["sidecar"].database.session() as session:
        made = [create_installation(session, name=name, source="zendesk", box=SecretBox((key,))).as_dict()
                for name in ("Fuzz main", "Fuzz config", "Fuzz doomed")]
    if args.agent:
        bearer = [agent_jwt(installation, args.seconds + 3600) for installation in made]
    else:
        bearer = [installation["api_token"] for installation in made]
    tokens = Tokens(main=bearer[0], config=bearer[1], doomed=bearer[2], doomed_id=made[2]["id"])
    report = fuzz(app, tokens, max_examples=args.examples, max_time=args.seconds, deadline=args.seconds + 120,
                  seed=args.seed, database_hosts=database_hosts(url))
    for line in report.problems():
        print(line[:2000])
    print(json.dumps({"credentials": "agent" if args.agent else "admin", **report.figures()}))


if __name__ == "__main__":
    main()
