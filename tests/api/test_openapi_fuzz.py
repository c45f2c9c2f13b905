"""Bounded schema fuzzing of /openapi.json in the test command (tests/api/fuzzing.py says what is checked).

Bounded by examples per operation, small enough that every operation is reached well before the
wall-clock deadline even on a loaded machine (the deadline is only a safety valve; the admin pass takes
about 10 s): together the two passes add about half a minute to the suite. `python bench/fuzz_api.py`
runs every phase for minutes (README, "Measured figures").
"""
import pytest

from tests.api.fuzzing import Tokens, database_hosts, fuzz
from tests.conftest import zaf_jwt

SEED = 20261206  # fixed, so a failure here is the same failure on the next run


@pytest.fixture
def three(make_installation):
    """The main, config and doomed installations of a run."""
    return [make_installation(name=name) for name in ("Fuzz main", "Fuzz config", "Fuzz doomed")]


def _assert_clean(report):
    print(report.figures())  # shown with -s: what this pass sent
    assert report.requests > 0 and not report.problems(), "\n".join(
        [str(report.figures()), *report.problems()])


def test_admin_credentials_every_operation(app, database_url, three):
    main, config, doomed = three
    tokens = Tokens(main=main["api_token"], config=config["api_token"], doomed=doomed["api_token"],
                    doomed_id=doomed["id"])
    report = fuzz(app, tokens, max_examples=15, deadline=240, seed=SEED, phases=("fuzzing",),
                  database_hosts=database_hosts(database_url))
    _assert_clean(report)
    assert report.stop_reason == "completed", report.figures()
    assert len(report.operations) >= 45, sorted(report.operations)


def test_agent_credentials_every_operation(app, database_url, three):
    # The sidebar's JWT is agent scope: admin operations must be documented 403s, the rest must work.
    main, config, doomed = three
    tokens = Tokens(main=zaf_jwt(main), config=zaf_jwt(config), doomed=zaf_jwt(doomed), doomed_id=doomed["id"])
    report = fuzz(app, tokens, max_examples=6, deadline=30, seed=SEED, phases=("fuzzing",),
                  database_hosts=database_hosts(database_url))
    _assert_clean(report)
    assert any(status == 403 for (_, status) in report.statuses), report.statuses
