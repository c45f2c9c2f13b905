"""A small synthetic help-desk history for the learned escalation model: who was escalated, and when."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

SEVERE = [
    "The checkout in the quasar module fails for every customer since the deploy",
    "quasar sync dropped all invoices overnight, finance cannot close the month",
    "Our quasar gateway returns errors for the whole team, nothing goes through",
    "After the quasar upgrade the reports show wrong totals for every account",
]
ROUTINE = [
    "How do I change the colour of the dashboard header?",
    "Can you send me last month's invoice as a PDF please",
    "Where is the setting for the weekly digest email",
    "Is there a keyboard shortcut to archive a conversation",
]


def synthetic_history(count: int = 80, *, seed: int = 0, noise: float = 0.1) -> list[dict]:
    """History-format rows, oldest first: 'quasar' tickets were escalated (with `noise` of labels flipped)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for index in range(count):
        severe = index % 2 == 0
        text = rng.choice(SEVERE if severe else ROUTINE)
        escalated = severe if rng.random() >= noise else not severe
        rows.append({
            "id": f"h{index}", "subject": text.split(",")[0][:60],
            "description": f"{text}. Ticket {index}.",
            "created_at": (start + timedelta(hours=index)).isoformat(),
            "escalated": escalated,
        })
    return rows
