"""`sidecar train` learns from the installation's history; routes then use and name that model."""
import json

from click.testing import CliRunner

from sidecar.cli import main
from sidecar.intelligence.routing.embeddings import (
    BUNDLED_MINILM,
    BUNDLED_STATIC,
    bundled_model_installed,
)
from sidecar.store.history import upsert_history
from tests.api.test_routing import EXPERTS_FILE
from tests.conftest import ENCRYPTION_KEY, bearer

PAST = {
    "billing": ["I was charged twice this month, please refund one charge",
                "The invoice shows the wrong amount for our plan",
                "Refund the unused part of our annual subscription please",
                "Why was my card billed after I cancelled?",
                "Our VAT number is missing from the last three invoices"],
    "Platform Engineering": ["The API returns HTTP 500 for every request since this morning",
                 "Dashboard is down, we get a 502 bad gateway",
                 "The mobile app crashes when I open a report",
                 "Webhooks stopped arriving after your last release",
                 "Exports time out for large accounts"],
}


def _run(database_url, *args, **env):
    env = {"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, "LOG_LEVEL": "warning", **env}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _load_history(app, installation):
    rows = [{"id": f"{group}-{n}-{copy}", "subject": text, "group": group}
            for group, texts in PAST.items() for n, text in enumerate(texts) for copy in range(3)]
    with app.extensions["sidecar"].database.session() as session:
        upsert_history(session, installation_id=installation["id"], rows=rows)


def test_train_then_route_with_the_learned_router(app, client, installation, database_url):
    assert _run(database_url, "experts", "load", str(EXPERTS_FILE), "--installation", installation["id"]).exit_code == 0
    _load_history(app, installation)

    trained = _run(database_url, "train", "--installation", installation["id"])
    assert trained.exit_code == 0, trained.output
    model = json.loads(trained.stdout.strip().splitlines()[-1])
    assert model["version"].startswith("router-") and model["groups"] == 2
    # auto, a small history: the bundled transformer when the extra is installed (the README's commands install it)
    assert model["embedding_model"] == (BUNDLED_MINILM if bundled_model_installed() else None)

    ticket = {"id": "9001", "subject": "Webhooks are not delivered anymore",
              "description": "Since yesterday's release our webhook endpoint receives nothing."}
    route = client.post("/v1/routes", json={"ticket": ticket}, headers=bearer(installation["api_token"])).get_json()
    assert route["model_version"] == f"rules+{model['version']}"
    assert route["team"]["name"] == "Platform Engineering"
    assert any("history routes tickets like this" in r for r in route["reasons"])


def test_embeddings_can_be_turned_off_and_a_bad_setting_is_named(app, installation, database_url):
    _load_history(app, installation)
    trained = _run(database_url, "train", "--installation", installation["id"], SIDECAR_ROUTER_EMBEDDINGS="off")
    assert trained.exit_code == 0, trained.output
    assert json.loads(trained.stdout.strip().splitlines()[-1])["embedding_model"] is None
    static = _run(database_url, "train", "--installation", installation["id"],
                  SIDECAR_ROUTER_EMBEDDINGS=BUNDLED_STATIC)
    assert json.loads(static.stdout.strip().splitlines()[-1])["embedding_model"] == BUNDLED_STATIC
    refused = _run(database_url, "train", "--installation", installation["id"],
                   SIDECAR_ROUTER_EMBEDDINGS="/no/such/model")
    assert refused.exit_code != 0 and "SIDECAR_ROUTER_EMBEDDINGS" in refused.output


def test_train_without_history_says_what_to_do(app, installation, database_url):
    result = _run(database_url, "train", "--installation", installation["id"])
    assert result.exit_code != 0
    assert "sidecar import" in result.output


def test_web_processes_warm_the_active_routers_as_they_start(app, installation, database_url):
    from sidecar.services import router_models

    _load_history(app, installation)
    trained = _run(database_url, "train", "--installation", installation["id"], SIDECAR_ROUTER_EMBEDDINGS="off")
    model_id = json.loads(trained.stdout.strip().splitlines()[-1])["id"]
    router_models._cache._models.pop(model_id, None)
    thread = router_models.start_router_warm_up(app.extensions["sidecar"].database)
    thread.join(30)
    assert model_id in router_models._cache._models  # loaded (and routed once) before any request asked


def test_a_router_whose_embeddings_are_missing_here_is_skipped_not_a_500(app, client, installation, database_url):
    from sqlalchemy import update

    from sidecar.intelligence.routing.embeddings import StaticEmbedder
    from sidecar.intelligence.routing.learned_router import RouterModel
    from sidecar.services import router_models
    from sidecar.store.models import LearnedModel

    assert _run(database_url, "experts", "load", str(EXPERTS_FILE), "--installation", installation["id"]).exit_code == 0
    _load_history(app, installation)
    trained = _run(database_url, "train", "--installation", installation["id"], SIDECAR_ROUTER_EMBEDDINGS="off")
    model_id = json.loads(trained.stdout.strip().splitlines()[-1])["id"]
    with app.extensions["sidecar"].database.session() as session:
        payload = session.get(LearnedModel, model_id).payload
        model = RouterModel.from_bytes(payload)
        model.embedder = StaticEmbedder("/models/that/are/not/here")  # trained where an extra was installed
        session.execute(update(LearnedModel).where(LearnedModel.id == model_id).values(payload=model.to_bytes()))
    router_models._cache._models.pop(model_id, None)

    ticket = {"id": "9002", "subject": "I was charged twice, please refund one charge"}
    response = client.post("/v1/routes", json={"ticket": ticket}, headers=bearer(installation["api_token"]))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["model_version"] == "rules"  # routed by rules and categories, and says so
