"""kickgan.data.sources: which files are kicks, Hydrogen drumkit.xml schemas, kit names."""

from pathlib import Path

import pytest

from kickgan.data.sources import discover, is_kick, parse_drumkit

OLD_SCHEMA = """<drumkit_info>
 <name>old kit</name>
 <license>cc-by &amp; friends</license>
 <instrumentList>
  <instrument><id>0</id><name>c3 - bass drum 1</name><filename>beats_06-38.flac</filename></instrument>
  <instrument><id>1</id><name>d3 - snare 1</name><filename>beats_01-21.flac</filename></instrument>
 </instrumentList>
</drumkit_info>
"""

COMPONENT_SCHEMA = """<?xml version="1.0" encoding="UTF-8"?>
<drumkit_info xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.hydrogen-music.org/drumkit">
 <name>new kit</name>
 <componentList><drumkitComponent><id>0</id><name>Main</name></drumkitComponent></componentList>
 <instrumentList>
  <instrument><id>0</id><name>Instrument 1</name>
   <instrumentComponent><component_id>0</component_id>
    <layer><filename>BD_01.wav</filename><min>0</min><max>0.3</max></layer>
    <layer><filename>BD_02.wav</filename><min>0.3</min><max>1</max></layer>
   </instrumentComponent>
  </instrument>
  <instrument><id>1</id><name>Hat</name>
   <instrumentComponent><layer><filename>kick_like_hat.wav</filename><min>0</min><max>1</max></layer></instrumentComponent>
  </instrument>
 </instrumentList>
</drumkit_info>
"""


@pytest.mark.parametrize("names, expected", [
    (["Kick"], True), (["BassDrum"], True), (["c3 - bass drum 1"], True), (["bd_haus"], True),
    (["drum_bass_hard"], True), (["drum_heavy_kick"], True), (["KickHard01"], True), (["kik_3"], True),
    (["Kick (Tama Superstar 22\")"], True), (["BD_06"], True),
    (["Snare"], False), (["bass_hard_c"], False), (["Tom Low"], False), (["hihat_closed01"], False),
    (["kick", "snare"], False), (["sidestick"], False), (["001", "Kicks"], True),
])
def test_kick_names(names, expected):
    assert is_kick(names) is expected


def test_old_and_new_drumkit_schemas(tmp_path):
    (tmp_path / "old.xml").write_text(OLD_SCHEMA)
    (tmp_path / "new.xml").write_text(COMPONENT_SCHEMA)
    assert parse_drumkit(tmp_path / "old.xml") == (
        "old kit", [("c3 - bass drum 1", None, None, "beats_06-38.flac"), ("d3 - snare 1", None, None, "beats_01-21.flac")]
    )
    assert parse_drumkit(tmp_path / "new.xml") == (
        "new kit",
        [("Instrument 1", 0, (0.0, 0.3), "BD_01.wav"), ("Instrument 1", 1, (0.3, 1.0), "BD_02.wav"),
         ("Hat", 0, (0.0, 1.0), "kick_like_hat.wav")],
    )


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def test_discover_kits_and_selection(tmp_path):
    src = tmp_path / "pack"
    (src / "h2").mkdir(parents=True)
    (src / "h2" / "drumkit.xml").write_text(COMPONENT_SCHEMA)
    for name in ("BD_01.wav", "BD_02.wav", "kick_like_hat.wav", "unlisted_kick.wav"):
        touch(src / "h2" / name)
    touch(src / "808" / "Kicks" / "001.wav")
    touch(src / "808" / "snare.wav")
    touch(src / "bd_loose.flac")
    touch(src / "readme.txt")
    found = discover([src])
    got = {(c.path.relative_to(src).as_posix(), c.kit, c.layer) for c in found.candidates}
    assert got == {
        ("h2/BD_01.wav", "new kit", 0),  # named by the file, as the instrument says nothing
        ("h2/BD_02.wav", "new kit", 1),
        ("808/Kicks/001.wav", "pack/808", None),  # named by its folder
        ("bd_loose.flac", f"{tmp_path.name}/pack", None),  # a loose file: the source is its kit
    }
    assert found.not_kicks == 2  # the hat layer and the snare; files a drumkit.xml does not list are not read
    everything = discover([src], all_kicks=True, exclude=("*.flac",))
    assert len(everything.candidates) == 5 and everything.excluded == 1
