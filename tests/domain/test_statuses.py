"""The status enums: equal to their strings, documented in /openapi.json, and the apps' constants generated
from them."""
from __future__ import annotations

import ast
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from sidecar.domain import statuses
from sidecar.domain.statuses import (
    AssessmentLevel,
    AuditOutcome,
    EscalationMode,
    EscalationStatus,
    FeedbackRating,
    Recommendation,
    StepStatus,
)

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "sidecar" / "domain"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_js_constants",
                                                  ROOT / "scripts" / "generate_js_constants.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_member_is_its_string_in_comparisons_and_json():
    assert StepStatus.DRY_RUN == "dry_run" and "dry_run" in {StepStatus.DRY_RUN}
    assert f"{EscalationStatus.RESOLVED}" == str(EscalationStatus.RESOLVED) == "resolved"
    assert json.dumps({AssessmentLevel.HIGH: FeedbackRating.RIGHT}) == '{"high": "right"}'


def test_levels_run_from_lowest_to_highest():
    assert list(AssessmentLevel) == ["low", "medium", "high", "critical"]


IO_MODULES = {"os", "io", "pathlib", "shutil", "subprocess", "socket", "http", "requests", "sqlalchemy", "flask",
              "logging", "sqlite3", "psycopg", "psycopg2", "redis"}


def test_the_domain_imports_nothing_of_the_rest_of_the_sidecar_and_no_io():
    for path in DOMAIN.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                # Types, parsing and checks only: nothing of the rest of the sidecar, nothing that reaches
                # a database, the network, files or the web framework.
                top = name.split(".")[0]
                assert top != "sidecar" and top not in IO_MODULES and name != "urllib.request", (
                    f"{path.name} imports {name}")


def test_the_generated_app_constants_are_up_to_date():
    stale = _generator().stale_files(ROOT)
    assert stale == [], (f"out of date: {', '.join(map(str, stale))}; "
                         "run `python scripts/generate_js_constants.py`")


def test_the_generated_modules_name_every_member_of_every_family_the_apps_read():
    generator = _generator()
    for relative, content in generator.generated_files().items():
        if relative.suffix != ".js":
            continue
        for family in generator.FAMILIES:
            assert f"export const {family.__name__} = Object.freeze(" in content
            for member in family:
                assert f"{member.name}: '{member.value}'" in content


def test_a_changed_enum_makes_the_files_stale(tmp_path):
    generator = _generator()
    generator.write_files(tmp_path)
    assert generator.stale_files(tmp_path) == []
    (tmp_path / generator.ZENDESK_MODULE).write_text("// edited by hand\n", encoding="utf-8")
    assert generator.stale_files(tmp_path) == [generator.ZENDESK_MODULE]


@pytest.fixture(scope="module")
def components(app):
    return app.test_client().get("/openapi.json").get_json()["components"]["schemas"]


@pytest.mark.parametrize(("schema", "field", "family"), [
    ("Escalation", "status", EscalationStatus),
    ("Escalation", "mode", EscalationMode),
    ("Escalation", "level", AssessmentLevel),
    ("EscalationStep", "status", StepStatus),
    ("Assessment", "level", AssessmentLevel),
    ("Assessment", "recommendation", Recommendation),
    ("Feedback", "rating", FeedbackRating),
    ("AuditEntry", "outcome", AuditOutcome),
    ("WebhookAnswer", "status", statuses.WebhookStatus),
])
def test_openapi_lists_each_status_family_as_an_enum(components, schema, field, family):
    assert components[schema]["properties"][field]["enum"] == [member.value for member in family]
