"""The ablation table: which model pairs qualify, what changes, and the known score differences."""

from test_experiment_report import md_table

from kickgan.experiment.ablation import (ablation_markdown, ablation_pairs, changes, composed_of_two_pairs, flat_options,
                                         score_change)


def _model(name: str, loss: str, upsample: str = "transposed", width: int = 16) -> dict:
    return {"name": name, "config": {"name": name, "data": "x", "preview_every": 100,
                                     "model": {"arch": "dcgan", "width": width, "upsample": upsample},
                                     "loss": {"kind": loss}}}


def _record() -> dict:
    wide = _model("wide", "hinge", "nearest", 64)  # five options away from every other model
    wide["config"].update(batch_size=64, optim={"lr_g": 1e-3})
    wide["config"]["model"]["z_dim"] = 128
    models = [_model("bce", "bce"), _model("wgan", "wgan-gp"), _model("wgan_durall", "wgan-gp", "durall"),
              _model("hinge32", "hinge", width=32), wide]
    fds = {"bce": (10.0, 14.0), "wgan": (7.0, 9.0), "wgan_durall": (8.0,), "hinge32": (5.0, 6.0), "wide": (1.0, 2.0)}
    runs = [{"model": m, "seed": s, "metrics": {"fd/aisfx-512": fd}} for m, v in fds.items() for s, fd in enumerate(v)]
    return {"models": models, "runs": runs, "spec": {"seeds": [0, 1]}, "budget": {"minutes": 4}}


def test_flat_options_leave_bookkeeping_out_and_changes_list_what_differs():
    a, b = _model("a", "bce")["config"], _model("b", "hinge", "durall")["config"]
    assert "name" not in flat_options(a) and "preview_every" not in flat_options(a)
    assert changes(a, b) == [("loss.kind", "bce", "hinge"), ("model.upsample", "transposed", "durall")]


def test_pairs_differ_in_a_few_options_only():
    pairs = ablation_pairs(_record(), max_changes=2)
    assert [(a, b) for a, b, _ in pairs] == [("bce", "wgan"), ("bce", "wgan_durall"), ("bce", "hinge32"),
                                             ("wgan", "wgan_durall"), ("wgan", "hinge32")]
    assert pairs[3][2] == [("model.upsample", "transposed", "durall")]


def test_score_change_is_the_difference_of_means_with_the_spread_of_both():
    cell = score_change(_record(), "bce", "wgan", "fd/aisfx-512")
    # bce: mean 12, std 2.83; wgan: mean 8, std 1.41 -> -4 +- sqrt(8 + 2)
    assert cell.mean == -4.0 and abs(cell.std - 10 ** 0.5) < 1e-9
    assert score_change(_record(), "wgan", "wgan_durall", "fd/aisfx-512").std is None  # one seed
    assert score_change(_record(), "bce", "wgan", "kid/aisfx-512") is None


def test_markdown_tables_split_single_factors_from_recipes_with_signs():
    text = ablation_markdown(_record())
    assert "Budget 4 minutes per run; seeds 0, 1." in text
    single, recipes = text.split("**Recipes**")
    rows = md_table(single)[2:]
    assert [r[:2] for r in rows] == [["bce", "wgan"], ["wgan", "wgan_durall"]]
    assert rows[0][2] == "`loss.kind` bce → wgan-gp" and rows[0][3] == "-4.00 ± 3.16" and rows[0][4] == "-"
    assert rows[1][3] == "+0.00"  # no change shows its sign too
    # wgan and wgan_durall are one option from the model before them: bce -> wgan_durall is two rows above
    assert [r[:2] for r in md_table(recipes)[2:]] == [["bce", "hinge32"]]
    none = ablation_markdown({**_record(), "models": _record()["models"][:1]})
    assert "No pair of models differs in one option only." in none and "No pair differs in 2 to 4 options." in none


def test_a_pair_two_models_reach_from_a_third_by_different_options_is_not_a_recipe():
    record = _record()
    pitch = _model("wgan_pitch", "wgan-gp")
    pitch["config"].update(pitch_shifts=[-1, 1], val_n=64)  # two options away from wgan, none it shares with durall
    durall2 = _model("wgan_durall2", "wgan-gp", "durall")
    durall2["config"]["loss"]["durall_weight"] = 1.0  # two options away from wgan
    bce, wgan = record["models"][:2]
    record["models"] = [wgan, durall2, pitch, bce]  # bce: a single-factor ablation of wgan, listed after it
    every = {frozenset(p[:2]) for p in ablation_pairs(record)}
    assert composed_of_two_pairs(record, "wgan_durall2", "wgan_pitch", every)  # wgan -> each: disjoint options
    assert not composed_of_two_pairs(record, "wgan_durall2", "wgan_pitch", every - {frozenset(("wgan", "wgan_pitch"))})
    assert not composed_of_two_pairs(record, "wgan", "wgan_pitch", every)
    recipes = md_table(ablation_markdown(record).split("**Recipes**")[1])[2:]
    assert [r[:2] for r in recipes] == [["wgan", "wgan_durall2"], ["wgan", "wgan_pitch"]]
