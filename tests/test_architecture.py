"""The layers and the absence of import cycles hold (import-linter's contracts in pyproject)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _contract(contract_id: str) -> dict:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == contract_id)


def _named(layers: list[str]) -> set[str]:
    return {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}


def test_every_package_of_soutien_has_its_place_in_the_layers():
    # A package left out of the layers contract is checked by nothing: a new app must be placed.
    packages = {
        f"soutien.{p.stem}"
        for p in (ROOT / "src" / "soutien").iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"
    } - {"soutien.__init__", "soutien.__main__", "soutien.config", "soutien.locale"}
    assert packages - _named(_contract("layers")["layers"]) == set()
    # ... and config.env may depend on none of them.
    assert packages - set(_contract("env")["forbidden_modules"]) == {"soutien.demo"}


def test_every_module_shared_by_the_web_sites_has_its_place():
    web = ROOT / "src" / "soutien" / "web"
    shared = {p.stem for p in web.glob("*.py")} - {
        "__init__",
        "apps",  # the app's configuration
        "views",  # pages outside the three sites (health check, downloads, errors)
        "middleware",  # below every page, imported by the settings
        "context_processors",  # read by the templates, imported by the settings
    }
    assert shared - _named(_contract("web-sites")["layers"]) == set()
