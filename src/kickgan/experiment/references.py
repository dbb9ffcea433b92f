"""The BibTeX entries the paper's methods cite, written out by hand (authors, title, venue, year).

:func:`cited` picks the entries an experiment's record calls for (from its configs and metric keys),
so the paper cites what its runs used.
"""

from __future__ import annotations

ENTRIES = {
    "radford2016dcgan": """@inproceedings{radford2016dcgan,
  author = {Radford, Alec and Metz, Luke and Chintala, Soumith},
  title = {Unsupervised Representation Learning with Deep Convolutional Generative Adversarial Networks},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year = {2016}
}""",
    "donahue2019wavegan": """@inproceedings{donahue2019wavegan,
  author = {Donahue, Chris and McAuley, Julian and Puckette, Miller},
  title = {Adversarial Audio Synthesis},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year = {2019}
}""",
    "gulrajani2017wgangp": """@inproceedings{gulrajani2017wgangp,
  author = {Gulrajani, Ishaan and Ahmed, Faruk and Arjovsky, Martin and Dumoulin, Vincent and Courville, Aaron C.},
  title = {Improved Training of {Wasserstein} {GANs}},
  booktitle = {Advances in Neural Information Processing Systems (NeurIPS)},
  volume = {30},
  year = {2017}
}""",
    "durall2020upconv": """@inproceedings{durall2020upconv,
  author = {Durall, Ricard and Keuper, Margret and Keuper, Janis},
  title = {Watch Your Up-Convolution: {CNN} Based Generative Deep Neural Networks Are Failing to Reproduce
           Spectral Distributions},
  booktitle = {IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  pages = {7890--7899},
  year = {2020}
}""",
    "prusa2017pghi": """@article{prusa2017pghi,
  author = {Pru{\\v{s}}a, Zden{\\v{e}}k and Balazs, Peter and S{\\o}ndergaard, Peter Lempel},
  title = {A Noniterative Method for Reconstruction of Phase From {STFT} Magnitude},
  journal = {IEEE/ACM Transactions on Audio, Speech, and Language Processing},
  volume = {25},
  number = {5},
  pages = {1154--1164},
  year = {2017}
}""",
    "zhao2020diffaugment": """@inproceedings{zhao2020diffaugment,
  author = {Zhao, Shengyu and Liu, Zhijian and Lin, Ji and Zhu, Jun-Yan and Han, Song},
  title = {Differentiable Augmentation for Data-Efficient {GAN} Training},
  booktitle = {Advances in Neural Information Processing Systems (NeurIPS)},
  volume = {33},
  year = {2020}
}""",
    "ma2022aisfx": """@inproceedings{ma2022aisfx,
  author = {Ma, Alison B. and Lerch, Alexander},
  title = {Representation Learning for the Automatic Indexing of Sound Effects Libraries},
  booktitle = {International Society for Music Information Retrieval Conference (ISMIR)},
  year = {2022}
}""",
    "kilgour2019fad": """@inproceedings{kilgour2019fad,
  author = {Kilgour, Kevin and Zuluaga, Mauricio and Roblek, Dominik and Sharifi, Matthew},
  title = {Fr{\\'e}chet Audio Distance: A Reference-Free Metric for Evaluating Music Enhancement Algorithms},
  booktitle = {Interspeech},
  pages = {2350--2354},
  year = {2019}
}""",
    "binkowski2018kid": """@inproceedings{binkowski2018kid,
  author = {Bi{\\'n}kowski, Miko{\\l}aj and Sutherland, Danica J. and Arbel, Michael and Gretton, Arthur},
  title = {Demystifying {MMD} {GANs}},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year = {2018}
}""",
    "lipman2023flow": """@inproceedings{lipman2023flow,
  author = {Lipman, Yaron and Chen, Ricky T. Q. and Ben-Hamu, Heli and Nickel, Maximilian and Le, Matt},
  title = {Flow Matching for Generative Modeling},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year = {2023}
}""",
    "tseng2021lecam": """@inproceedings{tseng2021lecam,
  author = {Tseng, Hung-Yu and Jiang, Lu and Liu, Ce and Yang, Ming-Hsuan and Yang, Weilong},
  title = {Regularizing Generative Adversarial Networks under Limited Data},
  booktitle = {IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  pages = {7921--7931},
  year = {2021}
}""",
}

# (what, test on one model's training options) -> the key to cite when any model of the record uses it
USES = (
    ("DCGAN generator and discriminator", lambda c: c["model"]["arch"] == "dcgan", "radford2016dcgan"),
    ("SpecGAN / WaveGAN", lambda c: c["model"]["arch"] in ("specgan", "wavegan"), "donahue2019wavegan"),
    ("Wasserstein loss with gradient penalty", lambda c: c["loss"]["kind"] == "wgan-gp", "gulrajani2017wgangp"),
    ("spectral regulariser / last-layer upsampling", lambda c: c["loss"].get("durall_weight", 0) > 0
     or c["model"].get("upsample") == "durall", "durall2020upconv"),
    ("differentiable augmentation", lambda c: bool(c["loss"].get("augment")), "zhao2020diffaugment"),
    ("LeCam regulariser", lambda c: c["loss"].get("lecam_weight", 0) > 0, "tseng2021lecam"),
    ("phase reconstruction (PGHI)", lambda c: "pghi" in str(c["representation"].get("inversion", "")),
     "prusa2017pghi"),
    ("flow matching", lambda c: c["model"]["arch"] == "flow", "lipman2023flow"),
)
# metric key prefix -> the keys its definition cites
METRICS = (
    ("fd/", "Frechet distance", ("kilgour2019fad", "ma2022aisfx")),
    ("kid/", "kernel inception distance", ("binkowski2018kid", "ma2022aisfx")),
    ("art/", "spectral artefacts (averaged power spectrum)", ("durall2020upconv",)),
)


def cited(record: dict) -> list[tuple[str, list[str], tuple[str, ...]]]:
    """``(method, [models or 'metric'], keys)`` for every method the record's models and metrics use."""
    out = []
    for what, uses, key in USES:
        models = [m["name"] for m in record["models"] if _safe(uses, m.get("config", {}))]
        if models:
            out.append((what, models, (key,)))
    metric_keys = {k for r in record["runs"] for k in r.get("metrics", {})}
    for prefix, what, keys in METRICS:
        if any(k.startswith(prefix) for k in metric_keys):
            out.append((what, ["evaluation"], keys))
    return out


def bibtex() -> str:
    """Every entry, in the order above."""
    return "\n\n".join(ENTRIES.values()) + "\n"


def _safe(test, cfg: dict) -> bool:
    """A test on training options that lack a section answers False."""
    try:
        return bool(test(cfg))
    except (KeyError, TypeError):
        return False
