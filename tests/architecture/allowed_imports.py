"""An import-linter contract type: these modules import only what is listed, and the
standard library.

import-linter's own contracts forbid; this one allows. It also tells the modules of an
outside package apart (`eventsourcing.domain` allowed, `eventsourcing.persistence`
not), which the graph itself does not: it keeps an outside package as one node, so
the imported name is read from the import statement's line.
"""

import sys

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _named(imported: str, line: str) -> str:
    """The module an import line names: `from a.b import c` -> a.b, `import a.b` -> a.b."""
    words = line.replace(",", " ").split()
    if len(words) >= 2 and words[0] in ("from", "import") and words[1].split(".")[0] == imported:
        return words[1]
    return imported


class AllowedImportsContract(Contract):
    type_name = "allowed_imports"

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        broken = []
        for source in self.source_modules:  # type: ignore[attr-defined]
            for importer in sorted({source} | graph.find_descendants(source)):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    for detail in graph.get_import_details(importer=importer, imported=imported):
                        named = _named(imported, detail["line_contents"])
                        if not self._allowed(named):
                            broken.append((importer, detail["line_number"], named))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def _allowed(self, module: str) -> bool:
        if module.split(".")[0] in sys.stdlib_module_names:
            return True
        allowed: list[str] = self.allowed_modules  # type: ignore[attr-defined]
        return any(module == a or module.startswith(f"{a}.") for a in allowed)

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, line, named in check.metadata["broken"]:
            output.print_error(f"{importer} (line {line}) imports {named}, which is not allowed")
            output.new_line()
