"""Router training time on a large history: `train_router` over N synthetic tickets (default 100,000).

The tickets are bench/similar_search.py's generator (seed 7: subject, description and follow-ups built
from support phrases, product areas, error codes, a Zipf vocabulary of made-up words; 5% carry a stack
trace). Each ticket's group is the team that owns its product area (50 areas dealt round-robin to 8
teams), so the labels follow the text the way a help desk's groups follow product areas. Trains with
the product's default (SIDECAR_ROUTER_EMBEDDINGS=auto: at this size the static word-piece vectors when
the `embeddings` extra is installed) or another setting, then routes 1,000 further tickets.
Prints the time of each part and, last, one JSON line. Target: under 2 minutes at 100,000 tickets.

    python bench/training_time.py [--tickets 100000] [--embeddings auto|off|DIR]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# Run as a script from a checkout that need not be installed: this repository's sidecar (E402 allows a
# sys.path change before imports).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from similar_search import AREAS, TicketFactory

from sidecar.intelligence.routing.embeddings import embedding_model_for
from sidecar.intelligence.routing.learned_router import ticket_text
from sidecar.intelligence.routing.training import train_router
from sidecar.intelligence.ticket import ticket_from_mapping

TEAMS = ("identity", "billing", "api-platform", "integrations", "mobile", "reporting", "automation", "data")
TEAM_OF_AREA = {area: TEAMS[index % len(TEAMS)] for index, area in enumerate(AREAS)}


def labelled_tickets(count: int, factory: TicketFactory) -> tuple[list[str], list[str]]:
    """(router texts, groups) of `count` generated tickets; the group is the team of the ticket's area."""
    texts, groups = [], []
    for number in range(count):
        ticket = factory.ticket()
        area = next((a for a in AREAS if a in ticket["subject"] or a in ticket["description"]), None)
        row = {"id": str(number), "subject": ticket["subject"], "description": ticket["description"],
               "comments": [{"author": "customer", "body": body, "public": True} for body in ticket["comments"]]}
        texts.append(ticket_text(ticket_from_mapping(row)))
        groups.append(TEAM_OF_AREA[area] if area else None)  # no area named: a ticket no team owns
    return texts, groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--embeddings", default="auto")
    args = parser.parse_args()
    embedding_model = embedding_model_for(args.embeddings, tickets=args.tickets)

    started = time.perf_counter()
    factory = TicketFactory()
    texts, groups = labelled_tickets(args.tickets, factory)
    held_texts, held_groups = labelled_tickets(1000, factory)
    generated = time.perf_counter() - started

    started = time.perf_counter()
    model = train_router(texts, groups, embedding_model=embedding_model)
    train_seconds = time.perf_counter() - started

    started = time.perf_counter()
    decisions = model.predict_many(held_texts)
    route_seconds = time.perf_counter() - started
    in_scope = [(d.group, g) for d, g in zip(decisions, held_groups, strict=True) if g is not None]
    accuracy = sum(1 for p, g in in_scope if p == g) / max(len(in_scope), 1)

    print(f"generated {args.tickets:,} tickets in {generated:.1f} s "
          f"({sum(g is None for g in groups):,} without a group)")
    print(f"trained on {args.tickets:,} tickets ({len(model.groups)} groups, embeddings: {embedding_model or 'off'}) "
          f"in {train_seconds:.1f} s (target < 120 s)")
    print(f"routed 1,000 new tickets in {route_seconds:.2f} s ({1000 * route_seconds / len(held_texts):.2f} ms each), "
          f"accuracy {accuracy:.3f} on the synthetic labels")
    print(json.dumps({"tickets": args.tickets, "embedding_model": embedding_model,
                      "train_seconds": round(train_seconds, 1),
                      "route_ms_per_ticket": round(1000 * route_seconds / len(held_texts), 3),
                      "synthetic_accuracy": round(accuracy, 3)}))


if __name__ == "__main__":
    main()
