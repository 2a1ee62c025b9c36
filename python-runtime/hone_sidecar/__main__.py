"""`python -m hone_sidecar [--config RUN.json [--resume]]`: the training sidecar. Protocol: see
protocol.schema.json and ../README.md. With --config the run starts from the file and stdin is not read (batch
mode, for a cluster's scheduler: server.py)."""

import json
import os
import sys

from . import early_env

# Before torch is imported (it reads the allocator and device settings once): see early_env.
for _note in early_env.apply():
    print(f"hone_sidecar: {_note}", file=sys.stderr, flush=True)

# Before any library is imported: quiet, offline-friendly defaults that the app can still override.
for key, value in {
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    "PYTHONUNBUFFERED": "1",
}.items():
    os.environ.setdefault(key, value)

from .protocol import Emitter, claim_stdout  # noqa: E402
from .server import Server  # noqa: E402


def _batch(argv: list[str]) -> dict | None:
    if "--config" not in argv:
        return None
    i = argv.index("--config")
    if i + 1 >= len(argv):
        print("hone_sidecar: --config needs the path of a run config (JSON)", file=sys.stderr)
        os._exit(2)
    with open(argv[i + 1], encoding="utf-8") as f:
        config = json.load(f)
    if "--resume" in argv and isinstance(config, dict):
        config["resume_from_checkpoint"] = "latest"
    return {"cmd": "start", "config": config}


def main() -> int:
    from .distributed import WORLD

    proto = claim_stdout()
    # Only rank 0 speaks the protocol; the other ranks of a multi-process run stay silent on stdout.
    emitter = Emitter(proto if WORLD.main else open(os.devnull, "w", encoding="utf-8"))
    code = Server(emitter, sys.stdin, _batch(sys.argv[1:])).serve()
    sys.stderr.flush()
    # Daemon threads may sit in a blocking stdin read; leave without waiting for them or for atexit
    # hooks that libraries register (some of them join worker threads and can hang).
    os._exit(code)


if __name__ == "__main__":
    main()
