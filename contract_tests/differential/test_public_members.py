"""Every public module, class, function and member of webknossos 4.3.3 exists in daedalus with a compatible signature.

The reference is described once per session by ``members.py`` run in its venv (the JSON is cached in the temp dir,
keyed by the script and the reference install); daedalus is described in-process by the same code. Deliberate
differences are listed in the section "Members and signatures" of ``docs/divergences.md``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent
DIVERGENCES = HERE.parents[1] / "docs" / "divergences.md"
SECTION = "Members and signatures"
_REFERENCE_ENV_MODULE = "daedalus_contract_tests_reference_env"


def _load(name: str, path: Path) -> ModuleType:
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


members = _load("daedalus_contract_tests_members", HERE / "members.py")
reference_env = _load(_REFERENCE_ENV_MODULE, HERE.parent / "reference_env.py")

GEOMETRY = "geometry"
GROUPS = (*members.SUBMODULES, members.REACHABLE_MODULE)


def documented_divergences() -> dict[tuple[str, str], str]:
    """``(where, kind) -> reason`` from the table of the section "Members and signatures" of docs/divergences.md."""
    if not DIVERGENCES.is_file():
        return {}
    rows: dict[tuple[str, str], str] = {}
    in_section = False
    for line in DIVERGENCES.read_text().splitlines():
        if line.startswith("## "):
            in_section = line[3:].strip() == SECTION
            continue
        match = re.match(r"^\|\s*`([^`]+)`\s*\|\s*([\w-]+)\s*\|(.*)\|\s*$", line)
        if in_section and match:
            rows[(match.group(1), match.group(2))] = match.group(3).strip()
    return rows


def _cache_file() -> Path:
    key = hashlib.sha256()
    key.update((HERE / "members.py").read_bytes())
    key.update(reference_env.REFERENCE_REQUIREMENT.encode())
    key.update(json.dumps(reference_env.install_info(), sort_keys=True).encode())
    return Path(tempfile.gettempdir()) / "daedalus-public-members" / f"reference-{key.hexdigest()[:16]}.json"


@pytest.fixture(scope="session")
def reference_description() -> dict:
    """The reference's public API as described by members.py inside its venv (one run, cached on disk)."""
    try:
        reference_env.reference_python()
    except reference_env.ReferenceUnavailable as exc:
        reason = f"reference webknossos venv unavailable: {exc}"
        print(f"\n[members] SKIP: {reason}", file=sys.stderr)
        if reference_env.require_reference():
            pytest.fail(f"{reason} (and ${reference_env.ENV_REQUIRE} is set)")
        pytest.skip(reason)
    cache = _cache_file()
    if cache.is_file():
        return json.loads(cache.read_text())
    description = reference_env.run_reference_json((HERE / "members.py").read_text(), "webknossos", timeout=300)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(description))
    tmp.replace(cache)
    return description


@pytest.fixture(scope="session")
def report(reference_description: dict) -> members.Report:
    """The comparison of the reference with daedalus; what daedalus has beyond it is written next to the cache."""
    result = members.compare(reference_description, members.describe_package("daedalus"))
    extras = _cache_file().with_name("daedalus-extras.txt")
    extras.parent.mkdir(parents=True, exist_ok=True)
    extras.write_text("".join(f"{where}: {message}\n" for where, message in sorted(result.notes)))
    print(f"\n[members] {len(result.notes)} members of daedalus beyond the reference (not failures): {extras}")
    return result


def _group(divergence: members.Divergence, reference: dict) -> str:
    """The test case a divergence is reported in: its module, or ``geometry`` for anything the reference defines
    in ``webknossos.geometry`` wherever it is exported (vectors, mags, boxes and their helpers)."""
    entry = reference["modules"].get(divergence.module, {}).get("names", {}).get(divergence.name, {})
    if str(entry.get("defined_in", "")).startswith("webknossos.geometry"):
        return GEOMETRY
    return divergence.module


def _format(failures: list[members.Divergence]) -> str:
    by_where: dict[str, list[str]] = defaultdict(list)
    for failure in failures:
        by_where[failure.where].append(f"[{failure.kind}] {failure.message}")
    return "\n".join(f"  {where}: " + "; ".join(messages) for where, messages in sorted(by_where.items()))


@pytest.mark.interop
@pytest.mark.parametrize("group", GROUPS, ids=lambda group: group or "webknossos")
def test_every_public_member_of_the_reference_exists_with_its_signature(
    group: str, reference_description: dict, report: members.Report
) -> None:
    documented = documented_divergences()
    failures = [
        failure
        for failure in report.failures
        if _group(failure, reference_description) == group and (failure.where, failure.kind) not in documented
    ]
    assert not failures, (
        f"{len(failures)} divergences from webknossos {reference_env.REFERENCE_VERSION} "
        f"(fix them, or document deliberate ones in {DIVERGENCES.name}, section '{SECTION}'):\n" + _format(failures)
    )


@pytest.mark.interop
def test_documented_member_divergences_still_occur(report: members.Report) -> None:
    observed = {(failure.where, failure.kind) for failure in report.failures}
    stale = sorted(key for key in documented_divergences() if key not in observed)
    assert not stale, f"rows of '{SECTION}' in {DIVERGENCES} no longer diverge; remove them: {stale}"


def _params(*specs: str) -> list[dict]:
    """Parameters written as ``name:kind[=default]`` with kind p (positional-or-keyword), k (keyword-only), ..."""
    kinds = {"p": "positional-or-keyword", "o": "positional-only", "k": "keyword-only", "a": "*args", "w": "**kwargs"}
    params = []
    for spec in specs:
        name, _, rest = spec.partition(":")
        kind, has_default, default = rest.partition("=")
        entry: dict = {"name": name, "kind": kinds[kind]}
        if has_default:
            entry["default"] = json.loads(default)
        params.append(entry)
    return params


@pytest.mark.parametrize(
    ("reference", "ours", "problem"),
    [
        (_params("a:p", "b:k=1"), _params("a:p"), "missing parameter b"),
        (_params("a:p", "b:k=1"), _params("a:p", "b:p=1"), "parameter b is positional-or-keyword"),
        (_params("a:p", "b:k=1"), _params("a:p", "b:k=2"), "parameter b defaults to 2"),
        (_params("a:p", "b:k=1"), _params("a:p", "b:k"), "parameter b is required"),
        (_params("a:p", "b:p"), _params("b:p", "a:p"), "positional parameters are (b, a)"),
        (_params("a:p"), _params("a:p", "c:k"), "extra required parameter c"),
        (_params("a:p", "r:w"), _params("a:p"), "missing parameter r (**kwargs)"),
    ],
)
def test_a_signature_the_reference_accepts_calls_for_is_reported_when_daedalus_differs(
    reference: list, ours: list, problem: str
) -> None:
    problems = members.compare_signatures(reference, ours)
    assert any(problem in found for found in problems), problems


def test_extra_optional_parameters_and_kwargs_of_daedalus_are_compatible() -> None:
    reference = _params("a:p", "b:k=1", "rest:w")
    ours = _params("a:p", "x:p=0", "b:k=1", "y:k", "more:w")
    assert members.compare_signatures(reference, ours) == []


def test_a_description_lists_classes_members_kinds_and_signatures() -> None:
    description = members.describe_package("daedalus", ("",))
    dataset = description["modules"][""]["names"]["Dataset"]
    assert dataset["kind"] == "class"
    assert dataset["members"]["open"]["kind"] in ("classmethod", "staticmethod")
    assert dataset["members"]["layers"]["kind"] == "property"
    assert [param["name"] for param in dataset["members"]["add_layer"]["signature"]][:2] == ["layer_name", "category"]
    assert description["modules"][""]["names"]["DataFormat"]["members"]["Zarr3"] == {
        "kind": "enum_member",
        "value": "zarr3",
    }
