"""The schema file is valid, and it accepts the commands and config the app sends and rejects wrong ones."""

from __future__ import annotations

import json

from jsonschema import Draft7Validator

from hone_sidecar.config import defaults, parse
from hone_sidecar.errors import CODES
from hone_sidecar.protocol import SCHEMA_PATH, validator


def test_schema_is_valid_draft7_and_lists_the_error_codes():
    schema = json.loads(SCHEMA_PATH.read_text())
    Draft7Validator.check_schema(schema)
    assert tuple(schema["definitions"]["errorCode"]["enum"]) == CODES


def test_commands_validate():
    commands = validator("command")
    assert commands.is_valid({"cmd": "start", "config": {"model_path": "m", "dataset_path": "d", "output_dir": "o"}})
    assert commands.is_valid({"cmd": "stop"}) and commands.is_valid({"cmd": "ping"})
    assert not commands.is_valid({"cmd": "start"})
    assert not commands.is_valid({"cmd": "pause"})


def test_defaults_form_a_valid_config_and_parse_fills_them():
    config = {"model_path": "m", "dataset_path": "d.jsonl", "output_dir": "o", **defaults()}
    assert validator("runConfig").is_valid(config)
    cfg = parse({"model_path": "m", "dataset_path": "d.jsonl", "output_dir": "o", "method": "qlora",
                 "extra_planner_field": 1})
    assert cfg.load_in_4bit is True and cfg.eval_steps == cfg.save_steps and cfg.unknown == ["extra_planner_field"]


def test_events_reject_unknown_types_and_bad_fields():
    events = validator("event")
    ok = {"type": "metrics", "seq": 3, "ts": "2025-01-01T00:00:00.000Z", "step": 1, "max_steps": 2, "epoch": 0.5,
          "loss": 1.5, "mean_token_accuracy": 0.3}
    assert events.is_valid(ok)
    assert not events.is_valid({**ok, "loss": "1.5"})
    assert not events.is_valid({**ok, "type": "mystery"})
    assert not events.is_valid({"type": "error", "seq": 1, "ts": ok["ts"], "code": "NOPE", "message": "x", "hint": "y"})
