"""The semantic layer: what a customer's sentences mean, beside what the rules' patterns match (layer.py)."""
from sidecar.intelligence.semantic.layer import (
    LAYER_VERSION,
    Reading,
    SemanticLayer,
    active_layer,
    reset_layer,
    semantic_enabled,
)

__all__ = ["LAYER_VERSION", "Reading", "SemanticLayer", "active_layer", "reset_layer", "semantic_enabled"]
