"""`sidecar eval`: measure the sidecar's decisions on labelled history files, or back-test on stored history."""
from __future__ import annotations

import time
from pathlib import Path

import click

from sidecar.cli.runtime import (
    database_for,
    input_file,
    load_config,
    print_json,
    read_jsonl,
    service_errors,
)
from sidecar.intelligence import evaluation
from sidecar.intelligence.routing.embeddings import embedding_model_for
from sidecar.intelligence.routing.evaluation import (
    evaluate_routing,
    format_routing_table,
)
from sidecar.intelligence.similarity.evaluation import format_similar_table
from sidecar.services.escalation_models import labelled_history
from sidecar.services.installations import get_installation
from sidecar.services.scoring_settings import policy_from_overrides, scoring_overrides
from sidecar.services.similar_evaluation import evaluate_product_search


@click.group(name="eval")
def eval_group() -> None:
    """Measure the sidecar's decisions on a labelled history file."""


def _run_eval(kind: str, test: str, train: str | None) -> None:
    test_rows = read_jsonl(test)
    train_rows = read_jsonl(train) if train else None
    started = time.perf_counter()
    try:
        if kind == "handoff":
            metrics = evaluation.evaluate_handoff(test_rows, train_rows)
            title = "human_requested detection vs needs_human"
        else:
            metrics = evaluation.evaluate_escalation(test_rows, train_rows)
            title = "escalation score vs escalated"
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    metrics["trained"] = bool(train)
    click.echo(evaluation.format_metrics_table(f"{title} ({Path(test).name})", metrics))
    print_json(metrics)


@eval_group.command("handoff")
@input_file("test", required=True)
@input_file("train")
def eval_handoff(test: str, train: str | None) -> None:
    """Precision, recall, F1 and PR-AUC of human_requested against needs_human labels."""
    _run_eval("handoff", test, train)


@eval_group.command("categories")
@input_file("test", required=True)
@click.option("--show-misses", is_flag=True, help="list each row whose categories differ")
def eval_categories(test: str, show_misses: bool) -> None:
    """Per-category precision, recall and F1 against rows' `categories` lists, and escalate vs needs_human."""
    rows = read_jsonl(test)
    started = time.perf_counter()
    try:
        result = evaluation.evaluate_categories(rows)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    result["seconds"] = round(time.perf_counter() - started, 2)
    click.echo(evaluation.format_categories_table(f"categories vs labels ({Path(test).name})", result))
    if show_misses:
        for miss in result["mismatches"]:
            click.echo(f"  {miss['id']}: expected {miss['expected']}, found {miss['found']}")
    print_json({key: value for key, value in result.items() if key != "mismatches"})


@eval_group.command("escalation")
@input_file("test")
@input_file("train")
@click.option("--installation", "installation_id", default=None,
              help="back-test rules vs learned on this installation's stored history, split by time")
@click.option("--test-fraction", default=0.3, type=click.FloatRange(0.05, 0.95), show_default=True,
              help="with --installation: the newest share of the history that is tested on")
def eval_escalation(test: str | None, train: str | None, installation_id: str | None, test_fraction: float) -> None:
    """ROC-AUC and PR-AUC of the score against escalated labels (files), or a rules vs learned back-test
    on an installation's own history (--installation)."""
    if installation_id:
        if test or train:
            raise click.UsageError("--installation reads the stored history; leave out --test and --train")
        _eval_installation_escalation(installation_id, test_fraction)
        return
    if not test:
        raise click.UsageError("give --test F.jsonl (with --train F.jsonl to learn first), or --installation ID")
    _run_eval("escalation", test, train)


def _eval_installation_escalation(installation_id: str, test_fraction: float) -> None:
    with service_errors(), database_for(load_config()) as database, database.session() as session:
        installation = get_installation(session, installation_id)
        policy = policy_from_overrides(scoring_overrides(installation))
        items = labelled_history(session, installation_id=installation_id)
    started = time.perf_counter()
    try:
        result = evaluation.backtest_escalation([i.ticket for i in items], [i.escalated for i in items],
                                                policy=policy, test_fraction=test_fraction)
    except ValueError as exc:
        raise click.ClickException(f"{exc} ({len(items)} labelled history tickets)") from None
    result = {"installation": installation_id, **result, "seconds": round(time.perf_counter() - started, 2)}
    click.echo(evaluation.format_backtest_table(
        f"escalation back-test on installation {installation_id}: rules vs learned, split by time", result))
    print_json(result)


@eval_group.command("routing")
@input_file("train", required=True)
@input_file("test", required=True)
@click.option("--embeddings", "embeddings", envvar="SIDECAR_ROUTER_EMBEDDINGS", default="auto", show_default=True,
              help="sentence embeddings beside TF-IDF: auto (the bundled MiniLM, by history size), off, "
                   "all-MiniLM-L6-v2[:static], or a model directory")
def eval_routing(train: str, test: str, embeddings: str) -> None:
    """Learn routing from one history file, route another: accuracy, macro-F1, abstain rate, OOS recall."""
    train_rows, test_rows = read_jsonl(train), read_jsonl(test)
    try:
        metrics = evaluate_routing(train_rows, test_rows,
                                   embedding_model=embedding_model_for(embeddings, tickets=len(train_rows)))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(format_routing_table(metrics))
    print_json(metrics)


@eval_group.command("similar")
@click.option("--tickets", "tickets", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--embeddings", "embeddings", envvar="SIDECAR_SIMILAR_EMBEDDINGS", default="auto", show_default=True,
              help="sentence embeddings beside full-text search, as the product uses them: auto, off, or a model")
def eval_similar(tickets: str, embeddings: str) -> None:
    """For each ticket with an earlier duplicate, search earlier tickets: recall@1/5/10 and MRR."""
    rows = read_jsonl(tickets)
    try:
        metrics = evaluate_product_search(rows, embeddings=embeddings)  # EmbeddingsUnavailable is a ValueError
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(format_similar_table(metrics))
    print_json(metrics)
