"""A second torch device for machines without one: tensors "on" it live on the CPU, tagged.

Inside ``with FakeDevice() as device:`` (``device`` is ``torch.device("meta")`` by name only),
``x.to(device)`` and factories called with ``device=device`` give tagged CPU tensors whose
``.device`` reads ``meta``; ``.cpu()`` / ``.to("cpu")`` untag. As on a real accelerator, an op
that mixes a tagged tensor with an untagged one of more than one element raises
("Expected all tensors to be on the same device"), and so does ``.numpy()`` of a tagged tensor;
results of ops on tagged tensors are tagged. Module parameters are tagged by :meth:`put`.
"""

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten, tree_map

META = torch.device("meta")
_TAG = "_on_fake_device"


def _is_fake(x) -> bool:
    return isinstance(x, torch.Tensor) and getattr(x, _TAG, False)


def _tag(x, on: bool = True):
    if isinstance(x, torch.Tensor):
        setattr(x, _TAG, on)
    return x


def _parse_to(args, kwargs):
    """(device, dtype) of a ``Tensor.to`` call; a tensor argument stands for its device and dtype."""
    if len(args) > 1 and isinstance(args[1], torch.Tensor):
        return (META if _is_fake(args[1]) else args[1].device), args[1].dtype
    device, dtype, _, _ = torch._C._nn._parse_to(*args[1:], **kwargs)
    if isinstance(args[1] if len(args) > 1 else None, str) or kwargs.get("device") is not None:
        device = torch.device(args[1] if len(args) > 1 and isinstance(args[1], str) else kwargs.get("device", device))
    return device, dtype


class FakeDevice(TorchFunctionMode):
    def __enter__(self):
        super().__enter__()
        return META

    def put(self, module: torch.nn.Module) -> torch.nn.Module:
        """Tag ``module``'s parameters and buffers: the module now lives on the fake device."""
        for t in [*module.parameters(), *module.buffers()]:
            _tag(t)
        return module

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func == torch.Tensor.device.__get__:
            return META if _is_fake(args[0]) else func(*args)
        if func in (torch.Tensor.to, torch.Tensor.cpu):
            device, dtype = (torch.device("cpu"), None) if func is torch.Tensor.cpu else _parse_to(args, kwargs)
            x = args[0] if dtype is None else args[0].to(dtype)
            if device is None:  # dtype only: stays where it is
                return _tag(x if x is not args[0] else x.view_as(x), _is_fake(args[0]))
            if device.type == "cpu" and not _is_fake(args[0]):
                return x
            return _tag(x.clone() if x is args[0] else x, device == META)
        if func is torch.Tensor.numpy and _is_fake(args[0]):
            raise TypeError("can't convert fake-device tensor to numpy; use .cpu() first")
        factory = kwargs.get("device") is not None and torch.device(kwargs["device"]) == META
        if factory:
            kwargs = {**kwargs, "device": "cpu"}
        leaves = [t for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)]
        fake = [t for t in leaves if _is_fake(t)]
        if fake and any(not _is_fake(t) and t.numel() > 1 for t in leaves):
            raise RuntimeError(f"{func.__name__}: Expected all tensors to be on the same device, fake and cpu")
        out = func(*args, **kwargs)
        return tree_map(_tag, out) if (fake or factory) else out
