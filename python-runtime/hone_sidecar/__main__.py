"""`python -m hone_sidecar`: the training sidecar. Protocol: see protocol.schema.json and ../README.md."""

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


def main() -> int:
    emitter = Emitter(claim_stdout())
    code = Server(emitter, sys.stdin).serve()
    sys.stderr.flush()
    # Daemon threads may sit in a blocking stdin read; leave without waiting for them or for atexit
    # hooks that libraries register (some of them join worker threads and can hang).
    os._exit(code)


if __name__ == "__main__":
    main()
