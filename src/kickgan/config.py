"""Training configuration: frozen dataclasses loaded from YAML, validated before any work.

A config file is a YAML mapping whose keys are the fields of :class:`TrainConfig`;
the nested section ``representation`` holds the fields of :class:`kickgan.spectral.SpecConfig`,
and ``model``, ``loss`` and ``optim`` those of the config classes of the model family that owns
``model.arch`` (:mod:`kickgan.models.family`; the GAN family's are :class:`ModelConfig`,
:class:`LossConfig` and :class:`OptimConfig`). Omitted fields take their defaults.
``--set loss.gp_lambda=5`` overrides one dotted key, typed by its field. Every
problem is a one-line ``KickganError`` that names the file and the key::

    configs/x.yaml: loss.kind: must be one of bce, wgan-gp, hinge (got 'wgan')
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kickgan.checks import at_least, choice, within
from kickgan.errors import KickganError, ParameterError
from kickgan.io import read_yaml_mapping
from kickgan.models.config import LossConfig, ModelConfig, OptimConfig
from kickgan.models.family import FAMILIES, SECTIONS, ModelFamily, family_of
from kickgan.models.precision import PRECISIONS
from kickgan.spectral import SpecConfig

BEST_METRICS = ("none", "descriptors", "descriptors+bands", "spectral", "kid", "kid+descriptors",
                "kid+descriptors+bands")
BAND_METRICS = ("descriptors+bands", "kid+descriptors+bands")  # need the 8-16 kHz band
KID_METRICS = ("kid", "kid+descriptors", "kid+descriptors+bands")  # need the aisfx-512 embedding
DEVICES = ("auto", "cpu", "cuda", "mps")
BUDGET_CLOCKS = ("wall", "cpu")
LR_DECAYS = ("none", "linear", "cosine")


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run needs; written to ``training_options.json`` and every checkpoint.

    ``steps`` counts solver steps (a GAN step: ``optim.n_critic`` D updates, then one G update).
    """

    name: str
    data: str = "synth:256"  # a dataset folder, or synth:N (N synthesised kicks, seed 0)
    representation: SpecConfig = field(default_factory=SpecConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    batch_size: int = 64
    steps: int = 10000
    ema_decay: float = 0.999  # EMA of G; warmed up as min(ema_decay, (1 + step) / (10 + step))
    ckpt_every: int = 500  # write checkpoints/latest.pt every this many steps
    keep_every: int = 0  # also keep checkpoints/step_NNNNNNN.pt every this many steps, 0 = never
    preview_every: int = 500  # preview bank, validation and best checkpoint every this many steps
    preview_n: int = 16  # preview seeds 0 .. preview_n-1
    val_n: int = 0  # kicks (seeds 0 .. val_n-1) scored against the val split at each preview; 0 = the previews
    best_metric: str = "descriptors"  # none | descriptors[+bands] | spectral | kid | kid+descriptors[+bands]: vs the val split
    best_min_memorisation: float = 0.0  # once a preview's val/mem is >= this, only such become best.pt
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | mps
    deterministic: bool = False  # torch.use_deterministic_algorithms: exact resume, slower
    precision: str = "fp32"  # fp32 | bf16 (autocast; CPU or GPU) | fp16 (autocast + grad scaler; CUDA only)
    time_budget_minutes: float = 0.0  # stop (with a checkpoint) after this much training, 0 = no limit
    budget_clock: str = "wall"  # wall | cpu: the budget counts training steps' wall time, or their CPU time
    threads: int = 0  # torch CPU threads of the run, 0 = torch's default (one per core)
    lr_decay: str = "none"  # none | linear | cosine: the learning rates fall over the run (budget or steps)
    lr_decay_start: float = 0.5  # ... from this share of the run
    lr_decay_final: float = 0.1  # ... to this multiple of their initial value at its end
    pitch_shifts: tuple[float, ...] = ()  # also train on every train kick resampled by these semitones
    init_from: str = ""  # a checkpoint whose networks' weights a new run starts from (fine-tuning); "" = none
    restarts: int = 1  # train this many times from fresh weights, each 1/restarts of the budget; best.pt the best of all

    def __post_init__(self) -> None:
        if not self.name or not all(c.isalnum() or c in "-_." for c in self.name):
            raise ParameterError(f"name: must be letters, digits, '-', '_' or '.' (got {self.name!r})")
        for key in ("batch_size", "steps", "ckpt_every", "preview_every", "preview_n", "restarts"):
            at_least(key, getattr(self, key), 1)
        at_least("keep_every", self.keep_every, 0)
        at_least("val_n", self.val_n, 0)
        at_least("time_budget_minutes", self.time_budget_minutes, 0.0)
        at_least("threads", self.threads, 0)
        choice("budget_clock", self.budget_clock, BUDGET_CLOCKS)
        choice("lr_decay", self.lr_decay, LR_DECAYS)
        for shift in self.pitch_shifts:
            within("pitch_shifts", shift, -12.0, 12.0, closed_high=True)
        within("lr_decay_start", self.lr_decay_start, 0.0, 1.0)
        within("lr_decay_final", self.lr_decay_final, 0.0, 1.0, closed_high=True)
        within("ema_decay", self.ema_decay, 0.0, 1.0)
        choice("best_metric", self.best_metric, BEST_METRICS)
        at_least("best_min_memorisation", self.best_min_memorisation, 0.0)
        if self.best_metric in BAND_METRICS and self.representation.sr < 2 * 16000:
            raise ParameterError(f"best_metric: {self.best_metric} needs the 8-16 kHz band, a rate of at least "
                                 f"32000 Hz (representation.sr is {self.representation.sr})")
        choice("device", self.device, DEVICES)
        choice("precision", self.precision, PRECISIONS)
        if self.precision == "fp16" and self.device in ("cpu", "mps"):
            raise ParameterError(f"precision: fp16 needs a CUDA device (got device {self.device}); use bf16 on a CPU")
        family = family_of(self.model)
        for name in SECTIONS:
            expected, got = family.sections[name], type(getattr(self, name))
            if got is not expected:
                raise ParameterError(f"{name}: the {family.name} family's section is {expected.__name__} (got {got.__name__})")
        family.check(self)

    def to_dict(self) -> dict:
        """A plain nested dict (round-trips through :func:`config_from_dict`)."""
        return dataclasses.asdict(self)


def load_config(path: str | Path, overrides: list[str] = ()) -> TrainConfig:
    """Read a YAML config (a file, or the name of a shipped one: ``tiny``), apply ``key=value``
    overrides, validate, return a :class:`TrainConfig`."""
    from kickgan.configs import find_config

    path = find_config(path)
    raw = read_yaml_mapping(path, "config")
    raw.setdefault("name", path.stem)
    return config_from_dict(raw, overrides, source=str(path))


def config_from_dict(raw: dict, overrides: list[str] = (), source: str = "config") -> TrainConfig:
    """Build a validated :class:`TrainConfig` from a nested dict plus ``key=value`` overrides."""
    raw = _deep_copy(raw)
    for item in overrides:
        key, value = _parse_override(item, _hints(raw, source))
        _set_dotted(raw, key, value)
    hints = _hints(raw, source)
    for name in SECTIONS:  # an omitted section takes the defaults of the family's class, not the GAN's
        raw.setdefault(name, {})
    try:
        return _build(TrainConfig, raw, "", hints)
    except KickganError as exc:
        raise KickganError(f"{source}: {exc}") from None


def with_overrides(cfg: TrainConfig, overrides: list[str], source: str = "--set") -> TrainConfig:
    """``cfg`` with dotted ``key=value`` overrides applied and validated again."""
    return config_from_dict(cfg.to_dict(), overrides, source)


def _hints(raw: dict, source: str) -> dict[str, Any]:
    """TrainConfig's field types, with the ``model``, ``loss`` and ``optim`` sections of the family
    that owns ``raw``'s ``model.arch``."""
    model = raw.get("model")
    arch = model.get("arch", ModelConfig.arch) if isinstance(model, dict) else getattr(model, "arch", ModelConfig.arch)
    return {**typing.get_type_hints(TrainConfig), **_family_of_arch(arch, source).sections}


def _family_of_arch(arch: Any, source: str) -> ModelFamily:
    for family in FAMILIES.values():
        if arch in family.archs:
            return family
    archs = [a for f in FAMILIES.values() for a in f.archs]
    raise KickganError(f"{source}: model.arch: must be one of {', '.join(archs)} (got {arch!r})")


def _parse_override(item: str, hints: dict[str, Any]) -> tuple[str, Any]:
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise KickganError(f"--set {item}: expected key=value, e.g. loss.gp_lambda=5")
    tp = _field_type(TrainConfig, key.split("."), key, hints)
    if tp is str:
        return key, text
    try:
        return key, yaml.safe_load(text)
    except yaml.YAMLError:
        raise KickganError(f"--set {item}: cannot parse the value '{text}'") from None


def _field_type(cls: type, parts: list[str], key: str, hints: dict[str, Any] | None = None) -> Any:
    hints = hints or typing.get_type_hints(cls)
    name = parts[0]
    if name not in hints or name not in {f.name for f in dataclasses.fields(cls)}:
        raise KickganError(f"--set {key}: unknown option '{name}' (choose from {', '.join(_names(cls))})")
    tp = hints[name]
    if len(parts) == 1:
        return tp
    if not dataclasses.is_dataclass(tp):
        raise KickganError(f"--set {key}: '{name}' has no sub-options")
    return _field_type(tp, parts[1:], key)


def _set_dotted(raw: dict, key: str, value: Any) -> None:
    parts = key.split(".")
    node = raw
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise KickganError(f"--set {key}: '{part}' is not a section")
    node[parts[-1]] = value


def _build(cls: type, raw: Any, where: str, hints: dict[str, Any] | None = None) -> Any:
    """Instantiate dataclass ``cls`` from mapping ``raw`` (its fields typed by ``hints``, by
    default its annotations); errors name the dotted key."""
    if isinstance(raw, cls):
        return raw
    if not isinstance(raw, dict):
        raise KickganError(f"{where or 'config'}: expected a mapping of options (got {type(raw).__name__})")
    hints = hints or typing.get_type_hints(cls)
    names = _names(cls)
    for key in raw:
        if key not in names:
            raise KickganError(f"{_join(where, key)}: unknown option (choose from {', '.join(names)})")
    kwargs = {key: _coerce(hints[key], value, _join(where, key)) for key, value in raw.items()}
    try:
        return cls(**kwargs)
    except TypeError as exc:  # a required field is missing
        raise KickganError(f"{where or 'config'}: {exc}") from None
    except (ParameterError, ValueError) as exc:
        raise KickganError(_name_key(str(exc), where, names)) from None


def _name_key(message: str, where: str, names: list[str]) -> str:
    """Prefix a validation message with its dotted key, unless it already starts with one."""
    head = message.split(":", 1)[0]
    if head.split(".", 1)[0] in names:  # "kind: ..." or "model.d_norm: ..." at this level
        return _join(where, message)
    if where and head.startswith(where + "."):  # "model.arch: ..." from the section itself
        return message
    return f"{where or 'config'}: {message}"


def _coerce(tp: Any, value: Any, key: str) -> Any:
    """Check ``value`` against the annotation ``tp`` (converting only lossless cases)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, key)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return _coerce(arg, value, key)
            except KickganError as exc:
                errors.append(str(exc))
        raise KickganError(errors[0] if errors else f"{key}: must not be null")
    if origin is typing.Literal:
        if value not in args:
            raise KickganError(f"{key}: must be one of {', '.join(map(str, args))} (got {value!r})")
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise KickganError(f"{key}: expected a list (got {value!r})")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(args[0], v, key) for v in value)
        if len(value) != len(args):
            raise KickganError(f"{key}: expected {len(args)} values (got {len(value)})")
        return tuple(_coerce(a, v, key) for a, v in zip(args, value))
    if tp is bool:
        if not isinstance(value, bool):
            raise KickganError(f"{key}: expected true or false (got {value!r})")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise KickganError(f"{key}: expected an integer (got {value!r})")
        return value
    if tp is float:
        return _to_float(value, key)
    if tp is str:
        if not isinstance(value, str):
            raise KickganError(f"{key}: expected a string (got {value!r})")
        return value
    return value


def _to_float(value: Any, key: str) -> float:
    if isinstance(value, bool):
        raise KickganError(f"{key}: expected a number (got {value!r})")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):  # YAML 1.1 reads 1e-4 (no dot) as a string
        try:
            return float(value)
        except ValueError:
            pass
    raise KickganError(f"{key}: expected a number (got {value!r})")


def _names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.init]


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _deep_copy(raw: Any) -> Any:
    if isinstance(raw, dict):
        return {k: _deep_copy(v) for k, v in raw.items()}
    if isinstance(raw, (list, tuple)):
        return list(raw)
    return raw

