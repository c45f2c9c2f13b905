"""CPU cost of the semantic layer per assessment: the rules alone, the layer on fresh text, the layer cached.

Assesses every ticket of a history file (default: the product's demo tickets, repeated to --tickets) three
ways, in one process, and prints CPU milliseconds per assessment (process time, so other load on the machine
does not count) and the layer's share; last, one JSON line.

  1. rules only (SIDECAR_SEMANTIC=off)
  2. semantic layer, first sight of each text: every sentence is embedded and classified
  3. semantic layer, the same tickets again: readings come from the cache (a ticket re-assessed when the
     sidebar opens, a webhook fires, the customer writes again)

    python bench/semantic_cost.py [--file tickets.jsonl] [--tickets 300]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessment_throughput import each_sentence_marked  # noqa: E402  (this folder)

from sidecar.intelligence.scoring import assess_ticket  # noqa: E402
from sidecar.intelligence.semantic import active_layer  # noqa: E402
from sidecar.intelligence.signals import clear_caches  # noqa: E402
from sidecar.intelligence.ticket import ticket_from_mapping  # noqa: E402


def _rows(path: str | None, count: int) -> list[dict]:
    if path:
        rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        rows = json.loads((ROOT / "sidecar" / "demo" / "tickets.json").read_text(encoding="utf-8"))
    out = []
    while len(out) < count:
        for row in rows:
            # A distinct id and every sentence marked with the copy's number: all of it is new text to the
            # layer's sentence cache. (Until 2026-12-06 only a last line "Ref N." was added, so every copy
            # after a demo ticket's first read its sentences from the cache: "new text" was mostly cached.)
            number = len(out)
            copy = {**row, "id": f"{row.get('id')}-{number}",
                    "subject": each_sentence_marked(row.get("subject") or "", str(number)),
                    "description": each_sentence_marked(row.get("description") or "", str(number)),
                    "comments": [{**comment, "body": each_sentence_marked(comment.get("body") or "", str(number))}
                                 for comment in row.get("comments") or []]}
            out.append(copy)
            if len(out) == count:
                break
    return out


def _cpu_ms_per_ticket(tickets) -> float:
    clear_caches()  # the rules' own caches: measure their work too, not a look-up
    started = time.process_time()
    for ticket in tickets:
        assess_ticket(ticket)
    return (time.process_time() - started) * 1000 / len(tickets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", help="a history-format JSONL file (default: the demo tickets)")
    parser.add_argument("--tickets", type=int, default=300)
    args = parser.parse_args()
    tickets = [ticket_from_mapping(row, default_source="zendesk") for row in _rows(args.file, args.tickets)]

    os.environ["SIDECAR_SEMANTIC"] = "off"
    rules = _cpu_ms_per_ticket(tickets)
    os.environ["SIDECAR_SEMANTIC"] = "on"
    started = time.perf_counter()
    layer = active_layer()
    if layer is None:
        raise SystemExit("the semantic layer is not available here (install the embeddings extra)")
    layer.fitted()
    load_seconds = time.perf_counter() - started
    fresh = _cpu_ms_per_ticket(tickets)
    cached = _cpu_ms_per_ticket(tickets)
    result = {
        "tickets": len(tickets),
        "embedder": layer.embedder.name,
        "layer_load_seconds": round(load_seconds, 2),
        "rules_cpu_ms": round(rules, 3),
        "semantic_fresh_cpu_ms": round(fresh, 3),
        "semantic_cached_cpu_ms": round(cached, 3),
        "layer_added_fresh_cpu_ms": round(fresh - rules, 3),
        "layer_added_cached_cpu_ms": round(cached - rules, 3),
    }
    print(f"{len(tickets)} tickets, embedder {layer.embedder.name}, layer loaded in {load_seconds:.2f} s")
    print(f"  rules only                {rules:8.3f} ms CPU per assessment")
    print(f"  with the layer, new text  {fresh:8.3f} ms (+{fresh - rules:.3f})")
    print(f"  with the layer, cached    {cached:8.3f} ms (+{cached - rules:.3f})")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
