"""Fuzzing of ``datasource-properties.json`` and annotation zips: only the documented error types (issue 16).

Each example mutates a valid file written by daedalus and loads it. ``Dataset.open`` may accept the result
or raise ``DatasetPropertiesError`` (a ValueError naming the file); ``Annotation.load`` and reading the
volume data of a loaded annotation may raise RuntimeError (the type the reference documents). Anything else
is an undocumented error type and fails the test. The NML and ``header.wkw`` fuzzers live in
``test_internal_errors.py`` and ``test_wkw_headers.py``. Examples per test: ``trials.fuzz_examples``.
"""

from __future__ import annotations

import io
import json
import shutil
import time
import traceback
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.properties import DatasetPropertiesError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import daedalus as wk

CASE_LIMIT = 10.0  # seconds one example may take
HOSTILE_VALUES = st.sampled_from(
    [None, True, 0, -1, 1, 7, 2**31, 2**64, -(2**63), 1.5, -0.0, 1e308, float("inf"), float("nan"), "", "a", "..",
     "../../victim", "/etc", "a/b", "uint8", "zarr3", "wkw", "color", "segmentation", "\x00", "9" * 400, [],
     [1, 2], [-1, 0, 1], [1, 1, 1], {}, {"x": 1}]
)  # fmt: skip


def _settings(trials):
    return settings(
        max_examples=trials.fuzz_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
        derandomize=True,  # the same examples on every run of a tier
    )


def _note(undocumented: dict[str, str], error: BaseException, example) -> None:
    """Keep the first example of each undocumented error (type and the library line that raised it)."""
    frames = traceback.extract_tb(error.__traceback__)
    library = [f for f in frames if "/tests/" not in f.filename and "site-packages" not in f.filename]
    origin = (library or frames)[-1]
    key = f"{type(error).__name__} at {Path(origin.filename).name}:{origin.lineno} ({origin.line})"
    undocumented.setdefault(key, f"{error!r:.300} for example {example!r:.600}")


def _describe(undocumented: dict[str, str]) -> str:
    return f"{len(undocumented)} undocumented error types:\n" + "\n".join(
        f"- {k}: {v}" for k, v in undocumented.items()
    )


def _template_dataset(path: Path) -> Path:
    """A dataset with a zarr3 color layer (mags 1, 2) and a WKW segmentation layer, both holding data."""
    ds = wk.Dataset(path, voxel_size=(11.2, 11.2, 25))
    box = wk.BoundingBox((0, 0, 0), (16, 16, 16))
    color = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)
    color.add_mag(1, chunk_shape=8, shard_shape=16).write((np.arange(16**3).reshape((16,) * 3) % 251).astype("uint8"))
    color.add_mag(2, chunk_shape=8, shard_shape=16)
    seg = ds.add_layer(
        "segmentation", wk.SEGMENTATION_CATEGORY, dtype="uint32", largest_segment_id=3, data_format="wkw",
        bounding_box=box,
    )  # fmt: skip
    seg.add_mag(1, chunk_shape=8, shard_shape=16).write(np.full((16,) * 3, 3, dtype="uint32"))
    return path


def _json_paths(value, prefix=()) -> list[tuple]:
    """Every path (tuple of keys / indices) into the decoded JSON ``value``."""
    paths = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            paths += _json_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += _json_paths(item, (*prefix, index))
    return paths


def _mutate(document, path: tuple, action: str, value):
    """``document`` with the entry at ``path`` replaced by ``value``, deleted, or (``wrap``) put in a list."""
    if not path:
        return value if action == "replace" else [document]
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "wrap":
        parent[key] = [parent[key]]
    else:
        parent[key] = value
    return document


def _check_open(path: Path, counts: dict) -> None:
    """Open the dataset and read one voxel of every mag: accepted, or refused with a documented type."""
    try:
        dataset = wk.Dataset.open(path)
        for layer in dataset.layers.values():
            box = layer.bounding_box
            # a box may start at negative coordinates; reads there are the caller's mistake (refused, as by the
            # reference), so read the first voxel of the box at or above 0
            start = tuple(max(0, int(c)) for c in box.topleft)
            inside = all(a < int(b) for a, b in zip(start, box.bottomright))
            for mag in layer.mags.values():
                if box.volume() > 0 and inside:
                    mag.read(absolute_offset=start, size=(1, 1, 1))
    except DatasetPropertiesError as error:
        assert str(path / "datasource-properties.json") in str(error), str(error)
        counts["refused"] += 1
        return
    counts["accepted"] += 1


def _judge_open(root: Path, counts: dict, undocumented: dict, example: object) -> None:
    """Open one fuzzed dataset (``_check_open``); note an undocumented error type; fail an example over 10 s."""
    counts["examples"] += 1
    started = time.monotonic()
    try:
        _check_open(root, counts)
    except AssertionError:
        raise
    except Exception as error:  # noqa: BLE001 - collected, reported after the run
        counts["undocumented"] += 1
        _note(undocumented, error, example)
    finally:
        if time.monotonic() - started > CASE_LIMIT:
            counts["over_10s"] += 1
    assert time.monotonic() - started <= CASE_LIMIT, "one example took longer than 10 s"


@pytest.mark.timeout(600)
def test_mutated_properties_json_opens_or_raises_dataset_properties_error(tmp_path_factory, trials, reliability_counts):
    """One entry of a valid properties file replaced, deleted or wrapped: opened or DatasetPropertiesError."""
    template = _template_dataset(tmp_path_factory.mktemp("template") / "ds")
    original = json.loads((template / "datasource-properties.json").read_text())
    paths = _json_paths(original)
    counts = {"examples": 0, "accepted": 0, "refused": 0, "undocumented": 0, "over_10s": 0}
    undocumented: dict[str, str] = {}

    @_settings(trials)
    @given(
        mutations=st.lists(
            st.tuples(
                st.sampled_from(paths), st.sampled_from(["replace", "replace", "delete", "wrap"]), HOSTILE_VALUES
            ),
            min_size=1,
            max_size=3,
        )
    )
    def check(mutations):
        root = tmp_path_factory.mktemp("mutated") / "ds"
        shutil.copytree(template, root)
        document = json.loads(json.dumps(original))
        for path, action, value in mutations:
            try:
                document = _mutate(document, path, action, value)
            except (KeyError, IndexError, TypeError):
                pass  # an earlier mutation removed the entry
        (root / "datasource-properties.json").write_text(json.dumps(document))
        _judge_open(root, counts, undocumented, mutations)

    try:
        check()
    finally:
        reliability_counts.record(
            "fuzz: properties JSON (mutated entries)", **counts, undocumented_types=len(undocumented)
        )
    assert not undocumented, _describe(undocumented)


@pytest.mark.timeout(600)
def test_damaged_properties_bytes_raise_dataset_properties_error(tmp_path_factory, trials, reliability_counts):
    """A valid properties file truncated or with bytes replaced: opened or DatasetPropertiesError."""
    template = _template_dataset(tmp_path_factory.mktemp("template") / "ds")
    original = (template / "datasource-properties.json").read_bytes()
    counts = {"examples": 0, "accepted": 0, "refused": 0, "undocumented": 0, "over_10s": 0}
    undocumented: dict[str, str] = {}

    @_settings(trials)
    @given(
        cut=st.integers(0, len(original)),
        replacements=st.lists(
            st.tuples(st.integers(0, len(original) - 1), st.binary(min_size=1, max_size=3)), max_size=4
        ),
    )
    def check(cut, replacements):
        data = bytearray(original)
        for position, new in replacements:
            data[position : position + len(new)] = new
        root = tmp_path_factory.mktemp("damaged") / "ds"
        shutil.copytree(template, root)
        (root / "datasource-properties.json").write_bytes(bytes(data[: cut or len(data)]))
        _judge_open(root, counts, undocumented, (cut, replacements))

    try:
        check()
    finally:
        reliability_counts.record(
            "fuzz: properties JSON (damaged bytes)", **counts, undocumented_types=len(undocumented)
        )
    assert not undocumented, _describe(undocumented)


def _template_annotation(path: Path) -> bytes:
    """The bytes of an annotation zip daedalus writes: a tree and a volume layer holding data."""
    annotation = wk.Annotation(name="ann", dataset_name="ds", voxel_size=(1, 1, 1))
    tree = annotation.skeleton.add_tree("t")
    first, second = tree.add_node(position=(1, 2, 3)), tree.add_node(position=(4, 5, 6))
    tree.add_edge(first, second)
    annotation.add_volume_layer("Volume", dtype=np.uint32)
    with annotation.temporary_volume_layer_copy(read_only=False) as layer:
        mag = layer.get_mag(1) if layer.mags else layer.add_mag(1)
        mag.write(np.full((32, 32, 32), 5, np.uint32), absolute_offset=(0, 0, 0), allow_resize=True)
    annotation.save(path)
    return path.read_bytes()


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def _check_load(path: Path, counts: dict) -> None:
    """Load the annotation and read its volume data: accepted, or RuntimeError (documented)."""
    try:
        annotation = wk.Annotation.load(path)
        for volume in annotation._volume_layers:
            if not volume.has_data:  # its data zip is gone: like the reference, such a layer has nothing to copy
                continue
            with annotation.temporary_volume_layer_copy(volume_layer_id=volume.id) as layer:
                for mag in layer.mags.values():
                    mag.read()
    except RuntimeError:
        counts["refused"] += 1
        return
    counts["accepted"] += 1


@pytest.mark.timeout(600)
def test_damaged_annotation_zips_load_or_raise_runtime_error(tmp_path_factory, trials, reliability_counts):
    """Random bytes, damaged bytes, or members replaced / dropped / renamed: loaded or RuntimeError."""
    scratch = tmp_path_factory.mktemp("annotation")
    original = _template_annotation(scratch / "template.zip")
    members = _members(original)
    counts = {"examples": 0, "accepted": 0, "refused": 0, "undocumented": 0, "over_10s": 0}
    undocumented: dict[str, str] = {}

    def rebuild(changes) -> bytes:
        out = io.BytesIO()
        with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            warnings.simplefilter("ignore", UserWarning)  # duplicate member names are part of the damage
            for index, (name, content) in enumerate(members):
                change = changes.get(index)
                if change is None:
                    archive.writestr(name, content)
                elif change[0] == "drop":
                    continue
                elif change[0] == "rename":
                    archive.writestr(change[1], content)
                elif change[0] == "truncate":
                    archive.writestr(name, content[: change[1] % (len(content) + 1)])
                else:
                    archive.writestr(name, change[1])
        return out.getvalue()

    change = st.one_of(
        st.tuples(st.just("drop"), st.none()),
        st.tuples(st.just("rename"), st.sampled_from(["x.nml", "data_Volume.zip", "../evil.nml", "a/b.zip", "dir/"])),
        st.tuples(st.just("truncate"), st.integers(0, 10**6)),
        st.tuples(st.just("replace"), st.binary(max_size=200)),
    )
    damage = st.one_of(
        st.binary(max_size=300).map(lambda data: ("bytes", data)),
        st.lists(
            st.tuples(st.integers(0, len(original) - 1), st.binary(min_size=1, max_size=4)), min_size=1, max_size=6
        )
        .map(lambda edits: ("edit", edits)),
        st.dictionaries(st.integers(0, len(members) - 1), change, min_size=1, max_size=3).map(lambda c: ("members", c)),
    )  # fmt: skip

    @_settings(trials)
    @given(damage=damage)
    def check(damage):
        kind, detail = damage
        if kind == "bytes":
            data = detail
        elif kind == "edit":
            buffer = bytearray(original)
            for position, new in detail:
                buffer[position : position + len(new)] = new
            data = bytes(buffer)
        else:
            data = rebuild(detail)
        path = tmp_path_factory.mktemp("zip") / "fuzz.zip"
        path.write_bytes(data)
        counts["examples"] += 1
        started = time.monotonic()
        try:
            _check_load(path, counts)
        except Exception as error:  # noqa: BLE001 - collected, reported after the run
            counts["undocumented"] += 1
            _note(undocumented, error, damage)
        finally:
            if time.monotonic() - started > CASE_LIMIT:
                counts["over_10s"] += 1
        assert time.monotonic() - started <= CASE_LIMIT, "one example took longer than 10 s"

    try:
        check()
    finally:
        reliability_counts.record("fuzz: annotation zips", **counts, undocumented_types=len(undocumented))
    assert not undocumented, _describe(undocumented)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")], ids=["Infinity", "-Infinity", "NaN"])
@pytest.mark.parametrize("key", ["version", "numChannels", "boundingBox.width", "boundingBox.topLeft"])
def test_non_finite_integer_in_properties_raises_dataset_properties_error(tmp_path, key, value):
    """Found by the properties fuzzer (issue 16 suite), fixed: ``Infinity`` / ``NaN`` (which Python's json reads)
    where the properties need an integer gave a bare OverflowError / ValueError from ``int(value)``; now a
    ``DatasetPropertiesError`` naming the file and the key."""
    dataset = _template_dataset(tmp_path / "ds")
    file = dataset / "datasource-properties.json"
    document = json.loads(file.read_text())
    layer = document["dataLayers"][0]
    if key == "version":
        document["version"] = value
    elif key == "numChannels":
        layer["numChannels"] = value
    elif key == "boundingBox.width":
        layer["boundingBox"]["width"] = value
    else:
        layer["boundingBox"]["topLeft"][0] = value
    file.write_text(json.dumps(document))
    with pytest.raises(DatasetPropertiesError) as caught:
        wk.Dataset.open(dataset)
    assert str(file) in str(caught.value)
