"""The sidecar's error codes (a closed list, mirrored in protocol.schema.json) and the exception that carries one."""

from __future__ import annotations

from typing import Any

CODES = ("BAD_CONFIG", "BAD_DATA", "EMPTY_DATASET", "MODEL_NOT_FOUND", "SEQ_TOO_LONG", "OOM", "DOES_NOT_FIT",
         "CUDA_UNAVAILABLE", "INTERNAL")

DEFAULT_HINTS = {
    "BAD_CONFIG": "Fix the named setting and start the run again.",
    "BAD_DATA": "Fix or remove the listed lines of the dataset and start again.",
    "EMPTY_DATASET": "Choose a dataset file with at least one example.",
    "MODEL_NOT_FOUND": "Check the model folder (it needs config.json and the weights) or download the model again.",
    "SEQ_TOO_LONG": "Lower max_seq_length to the model's limit or below.",
    "OOM": "Lower batch_size or max_seq_length, turn on gradient checkpointing, or use QLoRA; the adapter saved "
           "so far is kept.",
    "DOES_NOT_FIT": "Plan the run again: QLoRA, a shorter max_seq_length or a smaller model needs less memory.",
    "CUDA_UNAVAILABLE": "Check the NVIDIA driver with nvidia-smi, or train with backend 'plain' on the CPU.",
    "INTERNAL": "This is a bug in Hone's trainer; the log has the details.",
}


class SidecarError(Exception):
    """An error reported to the app as an `error` event; `extra` lands in the event (field, line, step...)."""

    def __init__(self, code: str, message: str, hint: str | None = None, **extra: Any) -> None:
        assert code in CODES, code
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint or DEFAULT_HINTS[code]
        self.extra = extra

    def event_fields(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "hint": self.hint, **self.extra}


class Stopped(Exception):
    """Raised between stages when a stop was requested before training began."""
