"""The layers of docs/architecture.md are the import-linter contracts of pyproject.toml, and the code keeps them.

`make lint` runs `lint-imports` as well; these tests make a plain `pytest` fail too, and keep the map in the docs
equal to the contracts, so neither can drift from the other.
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import lianxin

PACKAGE = Path(lianxin.__file__).parent
ROOT = PACKAGE.parent
PYPROJECT = ROOT / "pyproject.toml"


def contract(contract_id: str) -> dict:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == contract_id)


def layer_rows() -> list[list[str]]:
    return [[name.strip() for name in re.split(r"[|:]", row)] for row in contract("layers")["layers"]]


def top_level_modules() -> set[str]:
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    modules = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    return packages | modules


def test_every_package_under_lianxin_has_a_layer_or_is_a_named_project_module():
    layers = contract("layers")
    layered = {name for row in layer_rows() for name in row}
    assert layers["containers"] == ["lianxin"]
    assert layers["exhaustive"] is True
    unplaced = top_level_modules() - layered - set(layers["exhaustive_ignores"])
    assert not unplaced, f"give these a row in [tool.importlinter] and docs/architecture.md: {sorted(unplaced)}"
    assert layered <= top_level_modules(), "a layer names a package that does not exist"


def test_the_interface_contract_covers_every_layered_package():
    layered = {f"lianxin.{name}" for row in layer_rows() for name in row}
    interfaces = {f"lianxin.{name}" for name in layer_rows()[0]}
    forbidden = contract("interfaces")
    assert set(forbidden["forbidden_modules"]) == interfaces
    assert set(forbidden["source_modules"]) == layered - interfaces


def test_the_table_in_docs_architecture_is_the_layers_contract_row_for_row():
    text = (ROOT / "docs" / "architecture.md").read_text()
    table = text.split("<!-- layers:begin -->")[1].split("<!-- layers:end -->")[0]
    rows = [line.strip("|").split("|") for line in table.strip().splitlines()[2:]]
    documented = [[cell.strip() for cell in row] for row in rows]
    expected = layer_rows()
    assert [int(number) for number, _, _ in documented] == list(range(1, len(expected) + 1))
    for (_, packages, may_import), row, below in zip(
        documented, expected, [expected[i + 1 :] for i in range(len(expected))], strict=True
    ):
        assert re.findall(r"`([^`]+)`", packages) == row
        assert re.findall(r"`([^`]+)`", may_import) == [name for lower in below for name in lower]


def test_the_code_keeps_every_import_contract():
    # In a process of its own: the linter puts the working directory on sys.path and configures logging.
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--no-cache", "--no-logo", str(PYPROJECT)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_layered_package_is_described_under_apps_in_docs_architecture():
    text = (ROOT / "docs" / "architecture.md").read_text()
    apps = text.split("## Apps")[1].split("\n## ")[0]
    described = set(re.findall(r"^- `([a-z0-9_]+)`", apps, re.MULTILINE))
    layered = {name for row in layer_rows() for name in row}
    assert layered - described == set(), "describe these under ## Apps"
