"""Reading and re-writing every fixture NML keeps every element and attribute that formats.md lists.

The comparison works on facts: (element path, attribute, value) triples of both files parsed with xml.etree,
with numbers normalised (``1`` == ``1.0``) and elements identified by their ids, so element and attribute order
and number formatting do not matter. Edges are undirected (trees are undirected graphs, also in webknossos), so
an edge is identified by its sorted node pair.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

import daedalus as wk
from daedalus._nml import Nml

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
GENERATED = SHARED / "generated" / "annotations"
WK_TESTDATA = SHARED / "wk-testdata"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared fixtures absent at {SHARED}")


def _fixture_files() -> list[Path]:
    if not SHARED.is_dir():
        return []
    files = sorted(GENERATED.glob("*.nml")) + sorted((WK_TESTDATA / "nmls").glob("*.nml"))
    files += sorted((WK_TESTDATA / "annotations").glob("*.nml")) + sorted((WK_TESTDATA / "annotations").glob("*.zip"))
    return files


FIXTURES = _fixture_files()

# Elements identified by these attributes (their paths name them, so order does not matter).
_KEYS = {
    "thing": ("id",),
    "node": ("id",),
    "group": ("id",),
    "volume": ("id",),
    "segment": ("id",),
    "userBoundingBox": ("id",),
    "meta": ("name",),
    "metadataEntry": ("key",),
    "branchpoint": ("id",),
    "comment": ("node",),
}
# Attributes holding text: never normalised as numbers.
_TEXT = {
    "name", "content", "description", "stringValue", "key", "organization", "datasetId", "wkUrl", "location",
    "fallbackLayer", "format", "type", "unit",
}  # fmt: skip
# Elements a skeleton (not an annotation) holds: Skeleton.load/save keeps only these.
_SKELETON_PARTS = ("things/thing", "things/branchpoints", "things/comments", "things/groups")
_SKELETON_EXPERIMENT = ("name", "organization", "description", "datasetId")


def _norm(attribute: str, value: str) -> str:
    if attribute in _TEXT or attribute.startswith("stringListValue-"):
        return value
    if value.lower() in ("true", "false"):
        return value.lower()
    try:
        return repr(float(value))
    except ValueError:
        return value


def nml_facts(data: bytes) -> set[tuple[str, str, str]]:
    """The (element path, attribute, normalised value) facts of an NML; ("path", "", "") marks an element."""
    facts: set[tuple[str, str, str]] = set()

    def walk(element: ElementTree.Element, prefix: str) -> None:
        attributes = dict(element.attrib)
        label = element.tag
        if element.tag == "edge":
            pair = sorted(int(float(attributes.pop(k))) for k in ("source", "target"))
            label = f"edge[{pair[0]}-{pair[1]}]"
        elif element.tag in _KEYS:
            label += "[" + ",".join(_norm(k, attributes.get(k, "?")) for k in _KEYS[element.tag]) + "]"
        path = f"{prefix}/{label}" if prefix else label
        facts.add((path, "", ""))
        for attribute, value in attributes.items():
            facts.add((path, attribute, _norm(attribute, value)))
        for child in element:
            walk(child, path)

    walk(ElementTree.fromstring(data), "")
    return facts


def _skeleton_facts(facts: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    kept = set()
    for path, attribute, value in facts:
        if path.startswith(_SKELETON_PARTS):
            kept.add((path, attribute, value))
        elif path == "things/parameters/experiment" and attribute in _SKELETON_EXPERIMENT:
            kept.add((path, attribute, value))
        elif path == "things/parameters/scale" and attribute in ("x", "y", "z"):
            kept.add((path, attribute, value))
    return kept


def assert_nothing_lost(original: bytes, rewritten: bytes, label: str, skeleton_only: bool = False) -> None:
    """Fail with a readable diff if a fact of ``original`` is missing from (or changed in) ``rewritten``."""
    before, after = nml_facts(original), nml_facts(rewritten)
    if skeleton_only:
        before, after = _skeleton_facts(before), _skeleton_facts(after)
    lost = sorted(before - after)
    if not lost:
        return
    paths = {(path, attribute) for path, attribute, _ in lost}
    changed = {(p, a): v for p, a, v in after if (p, a) in paths}
    lines = [f"{label}: {len(lost)} fact(s) of the original NML were lost or changed on re-writing:"]
    for path, attribute, value in lost:
        where = f"{path} @{attribute}" if attribute else f"{path} (element)"
        now = changed.get((path, attribute))
        lines.append(f"  {where}: {value!r} -> {'<missing>' if now is None else repr(now)}")
    pytest.fail("\n".join(lines), pytrace=False)


def _nml_bytes(path: Path) -> bytes:
    if path.suffix == ".nml":
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        nmls = [n for n in archive.namelist() if n.lower().endswith(".nml")]
        return archive.read(min(nmls, key=lambda n: (n.count("/"), n)))


def test_fixtures_found() -> None:
    assert len(FIXTURES) >= 10, FIXTURES


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_annotation_round_trip_keeps_every_nml_fact(fixture: Path, tmp_path: Path) -> None:
    annotation = wk.Annotation.load(fixture)
    # annotations with volume layers are saved as .zip only (like the reference, which refuses an .nml for them)
    target = tmp_path / ("out.zip" if annotation._volume_layers or fixture.suffix == ".zip" else "out.nml")
    annotation.save(target)
    assert_nothing_lost(_nml_bytes(fixture), _nml_bytes(target), f"Annotation {fixture.name} -> {target.name}")
    # and a second round trip changes nothing further
    again = tmp_path / f"again{target.suffix}"
    wk.Annotation.load(target).save(again)
    assert nml_facts(_nml_bytes(target)) == nml_facts(_nml_bytes(again))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_skeleton_round_trip_keeps_every_skeleton_fact(fixture: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.nml"
    wk.Skeleton.load(fixture).save(target)
    assert_nothing_lost(_nml_bytes(fixture), target.read_bytes(), f"Skeleton {fixture.name}", skeleton_only=True)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_nml_parse_write_round_trip_keeps_every_fact(fixture: Path) -> None:
    original = _nml_bytes(fixture)
    out = io.BytesIO()
    Nml.parse(io.BytesIO(original)).write(out)
    assert_nothing_lost(original, out.getvalue(), f"Nml.parse/write {fixture.name}")


def test_facts_detect_a_lost_attribute() -> None:
    original = b'<things><parameters><activeNode id="3" /></parameters><thing id="1" type="DEFAULT" /></things>'
    rewritten = b'<things><parameters /><thing id="1.0" /></things>'
    with pytest.raises(pytest.fail.Exception) as error:
        assert_nothing_lost(original, rewritten, "example")
    message = str(error.value)
    assert "things/parameters/activeNode @id: '3.0' -> <missing>" in message
    assert "things/thing[1.0] @type: 'DEFAULT' -> <missing>" in message
    assert "@id" not in message.split("activeNode")[0]  # the renumbered-looking thing id 1 == 1.0 is not reported


# ---------------------------------------------------------------------------------------------- targeted tests

FULL_NML = b"""<?xml version="1.0" encoding="utf-8"?>
<things>
  <meta name="writer" content="NmlWriter.scala" />
  <meta name="annotationId" content="abc123" />
  <meta name="username" content="Some One" />
  <parameters>
    <experiment name="ds" organization="org" description="desc" wkUrl="https://wk.example.org" datasetId="ds-id-1" />
    <scale x="11.24" y="11.24" z="28.0" unit="nanometer" />
    <offset x="1" y="2" z="3" />
    <time ms="1700000000000" />
    <editPosition x="10" y="20" z="30" />
    <editRotation xRot="0.5" yRot="0.0" zRot="90.0" />
    <zoomLevel zoom="1.5" />
    <activeNode id="12" />
    <taskBoundingBox name="task" isVisible="true" color.r="0.5" color.g="0.5" color.b="0.5" color.a="1.0"
        topLeftX="0" topLeftY="0" topLeftZ="0" width="100" height="100" depth="50" />
    <userBoundingBox id="4" name="first" isVisible="true" color.r="1.0" color.g="0.0" color.b="0.0" color.a="1.0"
        topLeftX="1" topLeftY="2" topLeftZ="3" width="4" height="5" depth="6" />
    <userBoundingBox id="7" name="second" isVisible="false" color.r="0.0" color.g="1.0" color.b="0.0"
        color.a="0.5" topLeftX="7" topLeftY="8" topLeftZ="9" width="10" height="11" depth="12" />
  </parameters>
  <thing id="2" color.r="0.1" color.g="0.2" color.b="0.3" color.a="1.0" name="axon" groupId="5"
      type="AGGLOMERATE" isVisible="false">
    <nodes>
      <node id="11" radius="2.5" x="1" y="2" z="3" rotX="0.1" rotY="0.2" rotZ="0.3" inVp="1" inMag="2" bitDepth="8"
          interpolation="true" time="1700000000001" />
      <node id="12" x="4" y="5" z="6" />
    </nodes>
    <edges>
      <edge source="12" target="11" />
    </edges>
    <metadata>
      <metadataEntry key="s" stringValue="text" />
      <metadataEntry key="n" numberValue="2.5" />
      <metadataEntry key="b" boolValue="true" />
      <metadataEntry key="l" stringListValue-0="x" stringListValue-1="y" />
    </metadata>
  </thing>
  <thing id="3" color.r="0.4" color.g="0.5" color.b="0.6" color.a="1.0" name="plain" type="DEFAULT">
    <nodes>
      <node id="13" radius="1.0" x="7" y="8" z="9" />
    </nodes>
    <edges />
  </thing>
  <branchpoints>
    <branchpoint id="11" time="1700000000002" />
  </branchpoints>
  <comments>
    <comment node="12" content="a &lt;comment&gt; &amp; more" />
  </comments>
  <groups>
    <group id="5" name="expanded" isExpanded="true">
      <group id="6" name="collapsed" isExpanded="false" />
      <group id="8" name="unspecified" />
    </group>
  </groups>
  <volume id="0" name="Volume" location="data_Volume.zip" format="zarr3" fallbackLayer="segmentation"
      largestSegmentId="42">
    <segments>
      <segment id="42" name="cell" created="1700000000003" anchorPositionX="1" anchorPositionY="2"
          anchorPositionZ="3" color.r="0.2" color.g="0.4" color.b="0.6" color.a="1.0">
        <metadata>
          <metadataEntry key="kind" stringValue="soma" />
          <metadataEntry key="size" numberValue="17" />
        </metadata>
      </segment>
    </segments>
    <groups>
      <group id="1" name="segment group" isExpanded="false">
        <group id="2" name="nested" isExpanded="true" />
      </group>
    </groups>
  </volume>
</things>
"""


def _save_full(tmp_path: Path, suffix: str = ".zip") -> tuple[wk.Annotation, bytes]:
    source = tmp_path / "full.nml"
    source.write_bytes(FULL_NML)
    annotation = wk.Annotation.load(source)
    target = tmp_path / f"out{suffix}"
    annotation.save(target)
    return annotation, _nml_bytes(target)


def test_full_nml_keeps_every_fact_through_annotation_nml_and_zip(tmp_path: Path) -> None:
    _, written = _save_full(tmp_path, ".zip")
    assert_nothing_lost(FULL_NML, written, "full NML -> .zip")
    # like the reference: an annotation with volume layers cannot be saved as a bare .nml
    with pytest.raises(AssertionError, match="cannot be saved as an NML file"):
        _save_full(tmp_path, ".nml")


def test_full_nml_keeps_every_fact_through_nml_parse_write_and_skeleton(tmp_path: Path) -> None:
    out = io.BytesIO()
    Nml.parse(io.BytesIO(FULL_NML)).write(out)
    assert_nothing_lost(FULL_NML, out.getvalue(), "Nml.parse/write of the full NML")
    source = tmp_path / "full.nml"
    source.write_bytes(FULL_NML)
    wk.Skeleton.load(source).save(tmp_path / "skeleton.nml")
    assert_nothing_lost(FULL_NML, (tmp_path / "skeleton.nml").read_bytes(), "Skeleton of the full NML", True)


def _element(data: bytes, path: str) -> ElementTree.Element:
    element = ElementTree.fromstring(data).find(path)
    assert element is not None, f"{path} missing in\n{data.decode()}"
    return element


def test_active_node_and_wk_url_are_kept(tmp_path: Path) -> None:
    _, written = _save_full(tmp_path)
    assert _element(written, "parameters/activeNode").get("id") == "12"
    assert _element(written, "parameters/experiment").get("wkUrl") == "https://wk.example.org"
    assert _element(written, "parameters/offset").attrib == {"x": "1", "y": "2", "z": "3"}


def test_active_node_is_dropped_when_its_node_is_gone(tmp_path: Path) -> None:
    source = tmp_path / "full.nml"
    source.write_bytes(FULL_NML)
    annotation = wk.Annotation.load(source)
    tree = annotation.skeleton.get_tree_by_id(2)
    tree.remove_node(tree.get_node_by_id(12))
    annotation.save(tmp_path / "out.zip")
    assert ElementTree.fromstring(_nml_bytes(tmp_path / "out.zip")).find("parameters/activeNode") is None


def test_tree_type_is_kept_by_skeleton_and_tree_copies(tmp_path: Path) -> None:
    source = tmp_path / "full.nml"
    source.write_bytes(FULL_NML)
    skeleton = wk.Skeleton.load(source)
    copy_target = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="other")
    copy_target.add_tree(skeleton.get_tree_by_id(2))
    copy_target.add_tree("new")
    copy_target.save(tmp_path / "copy.nml")
    things = {t.get("name"): t for t in ElementTree.parse(tmp_path / "copy.nml").getroot().iter("thing")}
    assert things["axon"].get("type") == "AGGLOMERATE"
    assert things["new"].get("type") is None


def test_group_is_expanded_is_kept_as_written(tmp_path: Path) -> None:
    _, written = _save_full(tmp_path)
    groups = {g.get("id"): g.get("isExpanded") for g in _element(written, "groups").iter("group")}
    assert groups == {"5": "true", "6": "false", "8": None}
    segment_groups = {g.get("id"): g.get("isExpanded") for g in _element(written, "volume/groups").iter("group")}
    assert segment_groups == {"1": "false", "2": "true"}
    assert _element(written, "volume/groups/group/group").get("name") == "nested"


def test_segment_created_color_and_metadata_are_kept(tmp_path: Path) -> None:
    annotation, written = _save_full(tmp_path)
    segment = _element(written, "volume/segments/segment")
    assert segment.get("created") == "1700000000003"
    assert float(segment.get("color.b")) == 0.6
    assert {e.get("key"): e.attrib for e in segment.iter("metadataEntry")} == {
        "kind": {"key": "kind", "stringValue": "soma"},
        "size": {"key": "size", "numberValue": "17"},
    }
    info = annotation.get_volume_layer_segments()[42]
    assert info.metadata == {"kind": "soma", "size": 17}


def test_user_bounding_box_ids_are_kept_and_new_boxes_get_fresh_ids(tmp_path: Path) -> None:
    annotation, written = _save_full(tmp_path)
    assert [b.get("id") for b in _element(written, "parameters").iter("userBoundingBox")] == ["4", "7"]
    first, second = annotation.user_bounding_boxes
    annotation.user_bounding_boxes = [second, wk.BoundingBox((0, 0, 0), (1, 1, 1)).with_name("added")]
    annotation.save(tmp_path / "edited.zip")
    boxes = _element(_nml_bytes(tmp_path / "edited.zip"), "parameters").iter("userBoundingBox")
    assert [(b.get("name"), b.get("id")) for b in boxes] == [("second", "7"), ("added", "8")]


def test_new_annotation_numbers_user_bounding_boxes_from_zero(tmp_path: Path) -> None:
    """As the reference does for boxes that never had an id."""
    annotation = wk.Annotation(name="new", dataset_name="ds", voxel_size=(1, 1, 1))
    annotation.user_bounding_boxes = [wk.BoundingBox((0, 0, 0), (1, 1, 1)), wk.BoundingBox((1, 1, 1), (2, 2, 2))]
    annotation.save(tmp_path / "new.nml")
    boxes = ElementTree.parse(tmp_path / "new.nml").getroot().iter("userBoundingBox")
    assert [b.get("id") for b in boxes] == ["0", "1"]


def test_volume_location_of_a_data_less_volume_is_kept_with_an_empty_data_zip(tmp_path: Path) -> None:
    fixture = WK_TESTDATA / "annotations" / "bounding-boxes-example.zip"
    annotation = wk.Annotation.load(fixture)
    assert not annotation.get_volume_layer("Volume").has_data
    annotation.save(tmp_path / "out.zip")
    assert _element(_nml_bytes(tmp_path / "out.zip"), "volume").get("location") == "data_Volume.zip"
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        inner = io.BytesIO(archive.read("data_Volume.zip"))
    assert zipfile.ZipFile(inner).infolist() == []
    assert not wk.Annotation.load(tmp_path / "out.zip").get_volume_layer("Volume").has_data


def test_volume_data_keeps_its_zip_name_and_stays_readable(tmp_path: Path) -> None:
    fixture = WK_TESTDATA / "annotations" / "multi_volume_example_CREMI.zip"
    wk.Annotation.load(fixture).save(tmp_path / "out.zip")
    root = ElementTree.fromstring(_nml_bytes(tmp_path / "out.zip"))
    locations = {v.get("name"): v.get("location") for v in root.iter("volume")}
    assert locations == {"Volume_2": "data_0_Volume_2.zip", "Volume": "data_1_Volume.zip"}
    reloaded = wk.Annotation.load(tmp_path / "out.zip")
    with reloaded.temporary_volume_layer_copy(volume_layer_name="Volume") as layer:
        assert layer.bounding_box.size.x > 0


def test_a_new_layer_never_reuses_a_kept_zip_name(tmp_path: Path) -> None:
    fixture = WK_TESTDATA / "annotations" / "multi_volume_example_CREMI.zip"
    annotation = wk.Annotation.load(fixture)
    annotation.delete_volume_layer("Volume_2")
    annotation.get_volume_layer("Volume")._nml_location = "data_0_Volume_2.zip"
    annotation.add_volume_layer("Volume_2", dtype="uint32", volume_layer_id=0)
    annotation.save(tmp_path / "out.zip")
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        names = archive.namelist()
    assert len(names) == len(set(names))
