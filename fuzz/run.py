"""Run every fuzz target (or those named) for a bounded time; exit 1 when any of them crashes.

``make fuzz`` calls this with ``FUZZ_SECONDS`` (default 300 a target); CI runs 60 s a target.
For each target, libFuzzer reads three corpus folders under ``build/fuzz/<target>/``:

* ``corpus/``: what earlier runs found interesting (kept between runs; new finds go here);
* ``fuzz/seeds/<target>/``: small originals written for this project;
* ``shared/``: seeds made at run time from ``../shared/corpus`` when it exists (real Open edX
  courses and problems: read there, never copied into the repository).

A crash (an exception the module under test does not document, a hang past ``--timeout``, memory
past ``--rss-limit-mb``) leaves its input in ``build/fuzz/<target>/artifacts/``; turn it into a
regression test beside the plugin's tests, then fix it. The whole libFuzzer output is in
``build/fuzz/<target>/fuzz.log``; its tail is printed when a target fails.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import capa_input
import olx_bundle
from lxml import etree

FUZZ_DIR = Path(__file__).resolve().parent
ROOT = FUZZ_DIR.parent
DEFAULT_SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
WORK = ROOT / "build" / "fuzz"
LOG_TAIL_LINES = 60


def markdown_seeds(corpus: Path) -> Iterator[bytes]:
    """The simple-editor Markdown kept in ``markdown`` attributes of the corpus's problems."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    sources: list[bytes] = [path.read_bytes() for path in sorted((corpus / "olx").glob("*/problem/*.xml"))]
    sources.extend(seed.partition(capa_input.SEPARATOR)[0] for seed in capa_input.corpus_cases(corpus))
    seen: set[str] = set()
    for source in sources:
        try:
            root = etree.fromstring(source, parser)
        except etree.XMLSyntaxError:
            continue
        markdown = root.get("markdown")
        if markdown and markdown.strip() and markdown not in seen:
            seen.add(markdown)
            yield markdown.encode("utf-8")


def olx_seeds(corpus: Path) -> Iterator[bytes]:
    """Small course folders as bundles, and the Studio export archives."""
    yield from olx_bundle.corpus_bundles(corpus)
    for archive in sorted((corpus / "archives").glob("*.tar.gz")):
        if archive.stat().st_size <= 64 * 1024:
            yield archive.read_bytes()


#: target name -> (seeds from the shared corpus, -max_len for libFuzzer)
TARGETS: dict[str, tuple[Callable[[Path], Iterable[bytes]], int]] = {
    "olx_reader": (olx_seeds, 64 * 1024),
    "capa_problem": (capa_input.corpus_cases, 32 * 1024),
    "capa_markdown": (markdown_seeds, 16 * 1024),
}


def write_seeds(folder: Path, seeds: Iterable[bytes]) -> int:
    """Replace ``folder``'s content with ``seeds`` (one file each, named by hash); how many."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    count = 0
    for seed in seeds:
        (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        count += 1
    return count


def run_target(name: str, args: argparse.Namespace) -> bool:
    """Fuzz one target for ``args.seconds``; whether it ran without a crash."""
    shared_seeds, max_len = TARGETS[name]
    work = WORK / name
    corpus = work / "corpus"
    artifacts = work / "artifacts"
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    folders = [corpus, FUZZ_DIR / "seeds" / name]
    if args.shared_corpus.is_dir():
        count = write_seeds(work / "shared", shared_seeds(args.shared_corpus))
        folders.append(work / "shared")
        print(f"== {name}: {count} seeds from {args.shared_corpus}", flush=True)
    before = set(artifacts.iterdir())
    command = [
        sys.executable, str(FUZZ_DIR / f"{name}.py"), *map(str, folders),
        f"-max_total_time={args.seconds}", f"-timeout={args.timeout}", f"-rss_limit_mb={args.rss_limit_mb}",
        f"-max_len={max_len}", f"-artifact_prefix={artifacts}/", "-print_final_stats=1",
        *([f"-seed={args.seed}"] if args.seed else []),
    ]
    print(f"== {name}: fuzzing for {args.seconds} s", flush=True)
    log_path = work / "fuzz.log"
    with log_path.open("w") as log:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(FUZZ_DIR), os.environ.get("PYTHONPATH")])))
        returncode = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env, check=False).returncode
    lines = log_path.read_text(errors="replace").splitlines()
    found = sorted(set(artifacts.iterdir()) - before)
    if returncode == 0 and not found:
        stats = [line for line in lines if line.startswith(("stat::number_of_executed_units", "Done "))]
        print(f"== {name}: no crash ({'; '.join(stats) or 'done'})", flush=True)
        return True
    print("\n".join(lines[-LOG_TAIL_LINES:]), flush=True)
    print(f"== {name}: FAILED (exit {returncode}); inputs: {', '.join(map(str, found)) or 'none written'}",
          flush=True)
    return False


def main(argv: list[str] | None = None) -> int:
    """Fuzz the named targets (all by default) one after another; 1 when any crashed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help=f"targets to run (default: all of {', '.join(TARGETS)})")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "300")),
                        help="fuzzing time per target (default: $FUZZ_SECONDS or 300)")
    parser.add_argument("--timeout", type=int, default=30, help="seconds one input may take before it is a hang")
    parser.add_argument("--rss-limit-mb", type=int, default=1536, help="memory beyond which an input is a crash")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "0")),
                        help="libFuzzer's random seed (default: $FUZZ_SEED, or 0 for a new one each run); "
                             "CI sets one so that a run repeats")
    parser.add_argument("--shared-corpus", type=Path, default=DEFAULT_SHARED_CORPUS,
                        help="Open edX material to take seeds from at run time, when the folder exists")
    args = parser.parse_args(argv)
    unknown = [name for name in args.targets if name not in TARGETS]
    if unknown:
        parser.error(f"no such target: {', '.join(unknown)} (targets: {', '.join(TARGETS)})")
    failed = [name for name in (args.targets or list(TARGETS)) if not run_target(name, args)]
    if failed:
        print(f"fuzzing found crashes in: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
