"""docs/architecture.md names only modules and folders that exist (it is walked against the code)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
# A file or folder name: `services/lifecycle.py`, `jobs/`, `semantic/examples*.jsonl`, or a layout line's name.
_NAMED = re.compile(r"`([\w./*]+(?:\.py|\.jsonl|/))`|^\s{0,2}([\w.]+(?:\.py|/))\s{2,}", re.MULTILINE)


def named_paths(text: str) -> set[str]:
    """Every path-like name the page mentions, in backticks or as a layout entry."""
    return {a or b for a, b in _NAMED.findall(text)}


def exists(name: str) -> bool:
    """True when the name is a path under the repository root, or under sidecar/ or one of its packages."""
    bases = [ROOT, ROOT / "sidecar", *[p for p in (ROOT / "sidecar").rglob("*") if p.is_dir()]]
    return any(list(base.glob(name.rstrip("/"))) for base in bases)


def test_every_module_the_architecture_page_names_exists():
    names = named_paths(DOC.read_text(encoding="utf-8"))
    assert len(names) > 40  # the layout and the concept table are read
    missing = sorted(name for name in names if not exists(name))
    assert missing == [], f"docs/architecture.md names what the code does not have: {missing}"


def test_the_check_sees_a_missing_module():
    assert not exists("services/no_such_module.py")
    assert named_paths("see `jobs/gone.py` and\n  cli/               x") == {"jobs/gone.py", "cli/"}
