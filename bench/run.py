"""Run the benchmarks in bench/ and print their figures: `make bench`, or
`.venv/bin/python bench/run.py [name ...]` for some of them (e.g. `item_page`).

A benchmark is a module here whose name does not start with "_", with NAME (a title) and
run(app) -> bool (False when its figures cannot be trusted). They share one prepared app
(see _harness.prepared_app): a scratch PostgreSQL database (BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/fieldcast_bench, dropped at the end), migrated, with the
demo content, and DEBUG off. Each starts its own gunicorn through app.server().
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time
from pathlib import Path
from types import ModuleType

from _harness import BenchError, prepared_app

BENCH_DIR = Path(__file__).resolve().parent


def discover(names: list[str]) -> list[ModuleType]:
    available = sorted(p.stem for p in BENCH_DIR.glob("*.py") if not p.stem.startswith("_") and p.stem != "run")
    unknown = [n for n in names if n not in available]
    if unknown:
        raise BenchError(f"no benchmark named {', '.join(unknown)}; there are: {', '.join(available)}")
    return [importlib.import_module(name) for name in names or available]


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    # Ctrl-C and SIGTERM unwind through the finally blocks: gunicorn stopped, database dropped.
    # (SIGINT is set explicitly: a shell's background job inherits it ignored.)
    signal.signal(signal.SIGINT, _interrupted)
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        benchmarks = discover(argv)
        print(f"Fieldcast benchmarks on {os.cpu_count()} cores: {', '.join(b.NAME for b in benchmarks)}", flush=True)
        trustworthy = True
        with prepared_app() as app:
            for bench in benchmarks:
                print(f"\n== {bench.NAME}", flush=True)
                started = time.perf_counter()
                trustworthy = bench.run(app) and trustworthy
                print(f"({time.perf_counter() - started:.0f} s)")
    except BenchError as exc:
        print(f"\nbench: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nbench: interrupted; cleaned up", file=sys.stderr)
        return 130
    return 0 if trustworthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
