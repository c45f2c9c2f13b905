"""`sidecar history embed`: store sentence embeddings of an installation's history for similar-incident search.

Every import embeds the tickets it writes, and at its end every ticket of the installation still
without a current vector. This command does the same at once without importing: after upgrading to
migration 0007 (tickets imported before it have no vector), after changing SIDECAR_SIMILAR_EMBEDDINGS
to another model, for tickets recorded live by assessments, or after an import run with
SIDECAR_SIMILAR_EMBEDDINGS=off to keep it fast. Idempotent: a ticket already embedded is skipped.
"""
from __future__ import annotations

import time

import click

from sidecar.cli.runtime import (
    database_for,
    installation_option,
    load_config,
    print_json,
)
from sidecar.errors import ServiceError
from sidecar.intelligence.routing.embeddings import EmbeddingsUnavailable
from sidecar.intelligence.similarity.embedding import similar_embedder, vector_key
from sidecar.services.history.runner import check_installation
from sidecar.store.history import count_unembedded
from sidecar.store.vectors import count_embeddings, embed_history


@click.group(name="history")
def history_group() -> None:
    """Ticket history kept for routing and similar-incident search."""


@history_group.command("embed")
@installation_option(help="installation id (inst_...)")
@click.option("--embeddings", "embeddings", envvar="SIDECAR_SIMILAR_EMBEDDINGS", default="auto", show_default=True,
              help="auto (all-MiniLM-L6-v2 when the embeddings extra is installed), or a model")
def history_embed(installation_id: str, embeddings: str) -> None:
    """Embed every history ticket of the installation that has no vector from the current model yet."""
    embedder = similar_embedder(embeddings)
    if embedder is None:
        raise click.ClickException("no embedding model: SIDECAR_SIMILAR_EMBEDDINGS is off, or the embeddings extra "
                                   "is not installed (pip install -e '.[embeddings]')")
    try:
        with database_for(load_config(), current_schema=True) as database:
            started = time.perf_counter()
            check_installation(database, installation_id)
            with database.session() as session:
                pending = count_unembedded(session, installation_id=installation_id, model=vector_key(embedder))

            def progress(done: int) -> None:
                elapsed = time.perf_counter() - started
                click.echo(f"embedded {done} of {pending} tickets ({done / elapsed:.0f}/s)", err=True)

            written = embed_history(database, installation_id=installation_id, embedder=embedder,
                                    on_progress=progress)
            with database.session() as session:
                stored = count_embeddings(session, installation_id=installation_id, model=vector_key(embedder))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    except EmbeddingsUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    seconds = round(time.perf_counter() - started, 2)
    click.echo(f"{installation_id}: embedded {written} tickets with {embedder.name} in {seconds:.1f}s "
               f"({stored} stored)")
    print_json({"installation": installation_id, "model": embedder.name, "embedded": written,
                 "stored": stored, "seconds": seconds})
