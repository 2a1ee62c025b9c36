"""Hone's training sidecar: JSON lines over stdio around TRL (Unsloth on CUDA, plain transformers + PEFT otherwise).

Keep this module free of heavy imports: `import unsloth` must come before transformers, and only the
run configuration decides whether it is imported at all.
"""

__version__ = "0.1.0"
