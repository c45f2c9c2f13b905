"""Out-of-scope routing splits of banking77, as the README's routing table uses them.

Writes, into OUT_DIR:
- b77_oos_train.jsonl / b77_oos_test.jsonl: 10 of the 77 groups (random.Random(7)) are removed from
  training and their test rows get `group: null` (out of scope). Nothing out of scope is in training.
- b77_oos_full_train.jsonl / b77_oos_full_test.jsonl: the same, plus 100 training rows of those groups
  (random.Random(11)) kept with `group: null`, as an installation's history holds some tickets no team
  took (the "full" setting of the out-of-scope benchmarks). Test rows are never in training.
- b77_offdomain_test.jsonl: the banking77 test rows plus 1,000 bitext requests about orders, delivery,
  shipping addresses, reviews and newsletters (random.Random(13)) with `group: null`: tickets from
  another business altogether, as a help desk receives spam and misdirected mail. Train on banking77's
  own train.jsonl. (Bitext's account, payment and refund intents are left out: a bank handles those.)

    python bench/routing_splits.py $DATA OUT_DIR   ($DATA: a directory of the public labelled datasets)
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HELD_OUT_GROUPS = 10
OUT_OF_SCOPE_TRAINING_ROWS = 100


OFF_DOMAIN_INTENTS = ("delivery_period", "delivery_options", "track_order", "review", "change_order", "place_order",
                      "newsletter_subscription", "set_up_shipping_address", "cancel_order", "change_shipping_address")
OFF_DOMAIN_ROWS = 1000


def main() -> None:
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    train = read(data / "banking77" / "train.jsonl")
    test = read(data / "banking77" / "test.jsonl")
    held = set(random.Random(7).sample(sorted({row["group"] for row in train}), HELD_OUT_GROUPS))
    in_scope_train = [row for row in train if row["group"] not in held]
    test_rows = [dict(row, group=None) if row["group"] in held else row for row in test]
    oos_train = random.Random(11).sample([row for row in train if row["group"] in held], OUT_OF_SCOPE_TRAINING_ROWS)
    write(out / "b77_oos_train.jsonl", in_scope_train)
    write(out / "b77_oos_test.jsonl", test_rows)
    write(out / "b77_oos_full_train.jsonl", in_scope_train + [dict(row, group=None) for row in oos_train])
    write(out / "b77_oos_full_test.jsonl", test_rows)
    off_domain = [row for row in read(data / "bitext" / "intents.jsonl") if row["intent"] in OFF_DOMAIN_INTENTS]
    off_domain = random.Random(13).sample(off_domain, OFF_DOMAIN_ROWS)
    write(out / "b77_offdomain_test.jsonl", test + [{"id": row["id"], "description": row["description"], "group": None}
                                                    for row in off_domain])
    print(f"held out: {', '.join(sorted(held))}")


def read(path: Path) -> list[dict]:
    """The rows of a JSONL file."""
    return [json.loads(line) for line in path.open()]


def write(path: Path, rows: list[dict]) -> None:
    """One JSON object per line."""
    with path.open("w") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
