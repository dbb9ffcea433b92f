"""Sampler kits: SFZ and Hydrogen parse back, and every sample they name is there."""

import re
import tarfile
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from kickgan.errors import ParameterError
from kickgan.io import write_wav
from kickgan.producer.kit import (
    DEFAULT_LICENSE,
    H2_NAMESPACE,
    arrange,
    build_kit,
    check_kit_name,
    hydrogen_xml,
    sfz_text,
    velocity_ranges,
    write_hydrogen,
)

NS = {"h2": H2_NAMESPACE}


def test_velocity_ranges_tile_1_to_127():
    for n in (1, 2, 3, 7, 127):
        ranges = velocity_ranges(n)
        assert ranges[0][0] == 1 and ranges[-1][1] == 127
        assert all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:]))
    with pytest.raises(ParameterError):
        velocity_ranges(0)


def test_sfz_keys_from_note_36_and_velocity_layers():
    samples = ["samples/kick_s000003.wav", "samples/kick_s000017.wav", "samples/kick_s000042.wav"]
    regions = re.findall(r"<region> sample=(\S+) key=(\d+)(?: lovel=(\d+) hivel=(\d+))?", sfz_text(arrange(samples)))
    assert [(s, int(k)) for s, k, _, _ in regions] == list(zip(samples, (36, 37, 38)))
    text = sfz_text(arrange(samples, "velocity"))
    layers = re.findall(r"<region> sample=(\S+) key=(\d+) lovel=(\d+) hivel=(\d+)", text)
    assert [s for s, *_ in layers] == samples and {k for _, k, _, _ in layers} == {"36"}
    assert [(int(lo), int(hi)) for *_, lo, hi in layers] == velocity_ranges(3)
    two_keys = re.findall(r"key=(\d+) lovel=(\d+)", sfz_text([samples[:2], samples[1:]]))
    assert two_keys == [("36", "1"), ("36", "65"), ("37", "1"), ("37", "65")]
    with pytest.raises(ParameterError, match="past MIDI note 127"):
        sfz_text(arrange(["a.wav"] * 100))


@pytest.mark.parametrize("layout", ["keys", "velocity"])
def test_hydrogen_kit_parses_back_and_every_layer_file_is_in_the_archive(tmp_path, layout):
    files = []
    for seed in (3, 17):
        path = tmp_path / f"kick_s{seed:06d}.wav"
        write_wav(path, np.zeros(64, np.float32), 44100)
        files.append(path)
    arranged = arrange([f.name for f in files], layout)
    kit = write_hydrogen(tmp_path / "my kit.h2drumkit", "my kit", arranged, files)
    with tarfile.open(kit, "r:gz") as tar:
        names = set(tar.getnames())
        root = ET.fromstring(tar.extractfile("my kit/drumkit.xml").read())
    assert root.tag == f"{{{H2_NAMESPACE}}}drumkit_info"
    assert root.find("h2:name", NS).text == "my kit"
    assert root.find("h2:componentList/h2:drumkitComponent/h2:id", NS).text == "0"
    instruments = root.findall("h2:instrumentList/h2:instrument", NS)
    layers = root.findall(".//h2:instrumentComponent/h2:layer", NS)
    assert len(instruments) == (2 if layout == "keys" else 1)
    assert {f"my kit/{layer.find('h2:filename', NS).text}" for layer in layers} == {f"my kit/{f.name}" for f in files}
    assert names >= {f"my kit/{f.name}" for f in files} | {"my kit/drumkit.xml"}
    spans = [(float(layer.find("h2:min", NS).text), float(layer.find("h2:max", NS).text)) for layer in layers]
    assert spans == ([(0.0, 1.0)] * 2 if layout == "keys" else [(0.0, 0.5), (0.5, 1.0)])
    again = write_hydrogen(tmp_path / "again.h2drumkit", "my kit", arranged, files)
    assert again.read_bytes() == kit.read_bytes()  # no timestamps inside: same kit, same bytes


def test_hydrogen_instrument_elements_follow_the_schema_order():
    """The order of Hydrogen 1.x's drumkit.xsd (instrument sequence), which its loader expects."""
    order = ["id", "name", "volume", "isMuted", "isSoloed", "pan_L", "pan_R", "pitchOffset", "randomPitchFactor",
             "gain", "applyVelocity", "filterActive", "filterCutoff", "filterResonance", "Attack", "Decay",
             "Sustain", "Release", "muteGroup", "midiOutChannel", "midiOutNote", "isStopNote",
             "sampleSelectionAlgo", "isHihat", "lower_cc", "higher_cc", "FX1Level", "FX2Level", "FX3Level",
             "FX4Level", "instrumentComponent"]
    root = ET.fromstring(hydrogen_xml("k", [["a.wav"]]))
    inst = root.find("h2:instrumentList/h2:instrument", NS)
    assert [child.tag.split("}")[1] for child in inst] == order
    assert inst.find("h2:midiOutNote", NS).text == "36"


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "a/b", "../x", " kit", ""])
def test_a_kit_name_must_be_one_plain_visible_component(name, tmp_path):
    with pytest.raises(ParameterError, match="--name"):
        build_kit(None, [0], tmp_path, "hydrogen", name=name)  # refused before the sampler is used
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["my kicks", "kit_v1.2", "808-ish"])
def test_plain_kit_names_pass(name):
    check_kit_name(name)


def test_hydrogen_kit_carries_the_given_licence_never_undefined():
    root = ET.fromstring(hydrogen_xml("k", arrange(["a.wav"]), license="CC0-1.0"))
    assert root.find("h2:license", NS).text == "CC0-1.0"
    default = hydrogen_xml("k", arrange(["a.wav"]))
    assert "undefined" not in default and DEFAULT_LICENSE in default
