"""Cheap checks on the model before any ML library is imported: does it exist, how long may a sequence be."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .errors import SidecarError

WEIGHT_PATTERNS = ("*.safetensors", "*.bin", "*.safetensors.index.json", "*.bin.index.json")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
LIMIT_KEYS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length")


def resolve(model_path: str) -> tuple[str, dict | None]:
    """(path or hub id to load, config.json contents when local); MODEL_NOT_FOUND when it cannot be found."""
    local = Path(os.path.expanduser(model_path))
    if local.is_dir():
        cfg_file = local / "config.json"
        if not cfg_file.is_file():
            raise SidecarError("MODEL_NOT_FOUND", f"{local} is not a model folder (it has no config.json).",
                               field="model_path")
        if not any(any(local.glob(p)) for p in WEIGHT_PATTERNS):
            raise SidecarError("MODEL_NOT_FOUND", f"{local} has no weights (*.safetensors or *.bin).",
                               field="model_path")
        try:
            return str(local.resolve()), json.loads(cfg_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise SidecarError("MODEL_NOT_FOUND", f"{cfg_file} cannot be read: {e}", field="model_path") from None
    if local.exists() or not HUB_ID.match(model_path) or os.environ.get("HF_HUB_OFFLINE") == "1":
        raise SidecarError("MODEL_NOT_FOUND", f"The model folder {model_path} does not exist.",
                           "Choose the model folder again, or download the model first.", field="model_path")
    return model_path, None  # a hub id: the loader fetches it (or fails with MODEL_NOT_FOUND)


def max_positions(config: dict | None) -> int | None:
    if not config:
        return None
    for source in (config, config.get("text_config") or {}):
        for key in LIMIT_KEYS:
            value = source.get(key)
            if isinstance(value, int) and value > 0:
                return value
    return None


def check_seq_len(max_seq_length: int, config: dict | None) -> None:
    limit = max_positions(config)
    if limit is not None and max_seq_length > limit:
        raise SidecarError("SEQ_TOO_LONG", f"max_seq_length {max_seq_length} is above this model's limit of "
                           f"{limit} tokens.", f"Set max_seq_length to {limit} or less.", field="max_seq_length",
                           limit=limit)
