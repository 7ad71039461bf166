"""A custom import-linter contract (pyproject.toml, ``[tool.importlinter]``): no module
imports another module's private name (``from trayapp.config.schema import _Reader``).

A name starting with one underscore is its module's own; a helper two modules share is
public in the module that owns it. import-linter's graph knows which modules import
which, not the names; the names come from each importer's own source (``ast``).
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def private_imports(source: str, package: str) -> list[tuple[int, str, str]]:
    """(line, module, name) for each private name imported from ``package``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module == package or node.module.startswith(package + ".")):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append((node.lineno, node.module, alias.name))
    return found


class NoPrivateNamesContract(Contract):
    type_name = "no_private_names"
    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        broken: list[str] = []
        packages: Any = self.packages
        for package in packages:
            spec = importlib.util.find_spec(package)   # imports the top package alone
            if spec is None or spec.origin is None:
                raise ValueError(f"{package}: not found")
            top = Path(spec.origin).parent
            for module in sorted(graph.find_descendants(package) | {package}):
                rel = top.joinpath(*module.split(".")[1:])
                path = rel / "__init__.py" if rel.is_dir() else rel.with_suffix(".py")
                if not path.is_file():
                    continue
                source = path.read_text(encoding="utf-8")
                broken += [f"{module} (l.{line}) imports {name} from {imported}"
                           for line, imported, name in private_imports(source, package)]
        return ContractCheck(kept=not broken, warnings=None, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Private names are their module's own; make it public where it "
                           "belongs, or keep it private:", bold=False)
        output.new_line()
        for line in check.metadata["broken"]:
            output.print_error(f"- {line}", bold=False)
