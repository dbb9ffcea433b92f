"""``layer_table``: the per-block output shapes and parameter counts of a model, for --dry-run and papers."""

from __future__ import annotations

import torch
from torch import nn


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def layer_table(model: nn.Sequential, input_shape: tuple[int, ...]) -> list[tuple[str, tuple[int, ...], int]]:
    """Run a zero batch of two through ``model``'s named blocks; return (name, output shape, params) rows.

    input_shape excludes the batch axis: ``(z_dim,)`` for G, ``shape`` for D. The model's
    mode and statistics are left untouched (evaluated in eval mode without gradients).
    """
    was_training = model.training
    model.eval()
    rows = []
    try:
        with torch.no_grad():
            x = torch.zeros(2, *input_shape)
            for name, block in model.named_children():
                x = block(x)
                rows.append((name, tuple(x.shape[1:]), count_parameters(block)))
    finally:
        model.train(was_training)
    return rows


def format_layer_table(model: nn.Sequential, input_shape: tuple[int, ...], title: str) -> str:
    """``layer_table`` as aligned text lines, with a total."""
    rows = layer_table(model, input_shape)
    lines = [f"{title}: input {list(input_shape)}"]
    lines += [f"  {name:<10} {str(list(shape)):<20} {params:>12,}" for name, shape, params in rows]
    lines.append(f"  {'total':<10} {'':<20} {count_parameters(model):>12,}")
    return "\n".join(lines)
