"""A light mutation tester for predict/grade.py, predict/pricing.py and nbacore/importers/common.py.

Usage (from the repo root; pytest never collects this folder, its testpaths are tests/python):

    .tools/bin/uv run --frozen python tests/mutation/run_mutations.py --module grade --module pricing   # ~10 min
    .tools/bin/uv run --frozen python tests/mutation/run_mutations.py --module common --sample 100 --jobs 2 --examples 0.2
    .tools/bin/uv run --frozen python tests/mutation/run_mutations.py --rerun /tmp/nbaprops_mutation.json  # its survivors
    .tools/bin/uv run --frozen python tests/mutation/run_mutations.py --list --module pricing  # the mutants, no run
    .tools/bin/uv run --frozen python tests/mutation/run_mutations.py --module grade --index 22   # one mutant

Each mutant is one small AST change to a copy of the module (a comparison flipped, + <-> -, * <-> /, & <-> |,
and <-> or, a `not` / `~` / unary minus dropped, a number +1, True <-> False, a compared string changed, a statement
replaced by `pass`). Docstrings, annotations and f-strings (messages) are left alone. How it runs:

1. Coverage: the module's fast tests (TEST_GROUPS) run once with a line tracer, recording which test executes
   which line; a mutant then runs only the tests that execute its statement (module level or a class body: the
   tests executing a line that reads the name it defines). No such test: "uncovered".
2. Each mutant runs in a fork of this process (pandas, numpy, pytest... already imported, no project module):
   an import hook serves the mutated source under the module's own name, so every importer of it gets the
   mutant; then `pytest -x -q <those tests>`. Tests fail -> killed; slower than 3x its tests' baseline + 20 s ->
   timeout (counted as killed); tests pass -> survived. --examples scales the importers' property test (EXAMPLES).
3. A JSON report (--out, default /tmp/nbaprops_mutation.json) and a table; survivors are printed with their
   statement, and with the reason from explained.json when one was judged equivalent or defensive.

Score = (killed + timeout) / all mutants (uncovered ones count as alive). --rerun keeps a report's dead mutants
dead (adding tests cannot revive one) and re-runs its survivors and uncovered ones against today's tests.
"""

from __future__ import annotations

import argparse
import ast
import importlib.abc
import importlib.util
import json
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests" / "python"

MODULES = {
    "grade": ("predict.grade", ROOT / "predict" / "grade.py"),
    "pricing": ("predict.pricing", ROOT / "predict" / "pricing.py"),
    "common": ("nbacore.importers.common", ROOT / "nbacore" / "importers" / "common.py"),
}
PREDICT_TESTS = [
    "predict/test_predict_units.py",
    "predict/test_market_view_evaluation.py",
    "predict/test_calibration_choice.py",
    "predict/test_grade_pricing_mutants.py",
]
IMPORTER_TESTS = [
    "importers/test_importers.py",
    "importers/test_holes_importers.py",
    "importers/test_importers_common_mutants.py",
    "importers/test_importers_property.py",
]
TEST_GROUPS = {"grade": PREDICT_TESTS, "pricing": PREDICT_TESTS, "common": IMPORTER_TESTS}

# Survivors looked at and kept (equivalent or defensive): Mutant.key -> why no test should kill it. A key names the
# statement's text, so an explanation lapses (the survivor shows as unexplained) once that statement changes.
EXPLAINED: dict[str, str] = json.loads((Path(__file__).with_name("explained.json")).read_text(encoding="utf-8"))

CMP_SWAPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BIN_SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
}
SYMBOLS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.And: "and",
    ast.Or: "or",
}


# ---- mutants ---------------------------------------------------------------------------------------------


@dataclass
class Mutant:
    module: str
    index: int  # position among the module's mutation points (stable while the source is)
    line: int
    first: int  # the lines whose execution means the mutant is reached (its statement, or a compound's header)
    last: int
    function: str
    description: str
    statement: str
    module_level: bool = False  # module level or a class body: runs at import, matters where what it defines is used
    uses: list[int] = field(default_factory=list)  # module level: the lines in functions that read what it defines
    status: str = "pending"
    seconds: float = 0.0
    tests: list[str] = field(default_factory=list)

    occurrence: int = 0  # among the module's mutants with the same function, statement and description

    @property
    def key(self) -> str:
        return f"{self.module}:{self.function}:{self.statement}:{self.description}:{self.occurrence}"


def _header_end(stmt: ast.stmt) -> int:
    body = getattr(stmt, "body", None)
    if isinstance(body, list) and body:
        return max(stmt.lineno, body[0].lineno - 1)
    return stmt.end_lineno or stmt.lineno


class Points(ast.NodeVisitor):
    """Every mutation point of a module, in a fixed order: (node path, kind, description, statement, function)."""

    def __init__(self, source: str):
        self.lines = source.splitlines()
        self.points: list[tuple] = []
        self.stack: list[ast.stmt] = []
        self.function = "<module>"
        self.in_compare = 0
        self.skip = 0

    def visit(self, node):
        if self.skip:
            return
        return super().visit(node)

    def _stmt_context(self):
        stmt = self.stack[-1] if self.stack else None
        if stmt is None:
            return 0, 0, ""
        compound = isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.Try))
        first, last = stmt.lineno, _header_end(stmt) if compound else (stmt.end_lineno or stmt.lineno)
        text = " ".join(line.strip() for line in self.lines[first - 1 : last])
        return first, last, text[:160]

    def add(self, node, kind, description):
        first, last, text = self._stmt_context()
        self.points.append((node, kind, description, first, last, text, self.function))

    def generic_visit(self, node):
        for name, value in ast.iter_fields(node):
            if name in {"annotation", "returns", "decorator_list", "type_comment"}:
                continue  # annotations and decorators: not behaviour
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def _visit_body_stmt(self, stmt: ast.stmt, body: list[ast.stmt], position: int):
        docstring = (
            position == 0
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        )
        if docstring:
            return
        self.stack.append(stmt)
        if self.function != "<module>" and not isinstance(
            stmt, (ast.Pass, ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Global)
        ):
            self.add(stmt, "delete", "statement -> pass")
        self.visit(stmt)
        self.stack.pop()

    def visit_Module(self, node):
        self._body(node.body)

    def _body(self, body):
        for i, stmt in enumerate(body):
            self._visit_body_stmt(stmt, body, i)

    def visit_FunctionDef(self, node):
        outer, self.function = (
            self.function,
            node.name if self.function == "<module>" else f"{self.function}.{node.name}",
        )
        self.visit(node.args)
        self._body(node.body)
        self.function = outer

    def visit_ClassDef(self, node):
        if any(isinstance(b, ast.Name) and b.id == "Protocol" for b in node.bases):
            return  # a typing Protocol: no behaviour
        outer, self.function = self.function, node.name
        self._body(node.body)
        self.function = outer

    def visit_arguments(self, node):
        for default in [*node.defaults, *[d for d in node.kw_defaults if d is not None]]:
            self.visit(default)

    def _compound(self, node):
        for name, value in ast.iter_fields(node):
            if name in {"body", "orelse", "finalbody"}:
                self._body(value)
            elif name == "handlers":
                for handler in value:
                    if handler.type is not None:
                        self.visit(handler.type)
                    self._body(handler.body)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    visit_If = visit_For = visit_While = visit_With = visit_Try = _compound

    def visit_JoinedStr(self, node):
        return  # an f-string: a message

    def visit_Compare(self, node):
        for i, op in enumerate(node.ops):
            if type(op) in CMP_SWAPS:
                self.add((node, i), "cmp", f"{SYMBOLS[type(op)]} -> {SYMBOLS[CMP_SWAPS[type(op)]]}")
        self.in_compare += 1
        self.generic_visit(node)
        self.in_compare -= 1

    def visit_BinOp(self, node):
        if type(node.op) in BIN_SWAPS:
            self.add(node, "binop", f"{SYMBOLS[type(node.op)]} -> {SYMBOLS[BIN_SWAPS[type(node.op)]]}")
        self.generic_visit(node)

    def visit_BoolOp(self, node):
        swapped = ast.Or if isinstance(node.op, ast.And) else ast.And
        self.add(node, "boolop", f"{SYMBOLS[type(node.op)]} -> {SYMBOLS[swapped]}")
        self.generic_visit(node)

    def visit_UnaryOp(self, node):
        if isinstance(node.op, (ast.Not, ast.Invert, ast.USub)):
            symbol = {ast.Not: "not", ast.Invert: "~", ast.USub: "-"}[type(node.op)]
            self.add(node, "unary", f"drop {symbol}")
        self.generic_visit(node)

    def visit_Call(self, node):
        # strings compared through .isin([...]) count as compared strings
        isin = isinstance(node.func, ast.Attribute) and node.func.attr == "isin"
        self.visit(node.func)
        self.in_compare += isin
        for arg in node.args:
            self.visit(arg)
        self.in_compare -= isin
        for keyword in node.keywords:
            self.visit(keyword.value)

    def visit_Constant(self, node):
        value = node.value
        if isinstance(value, bool):
            self.add(node, "const", f"{value} -> {not value}")
        elif isinstance(value, int):
            self.add(node, "const", f"{value} -> {value + 1}")
        elif isinstance(value, float):
            self.add(node, "const", f"{value} -> {value + 1.0}")
        elif isinstance(value, str) and self.in_compare:
            self.add(node, "const", f"{value!r} -> {value + 'X'!r}")


def mutation_points(source: str) -> list[tuple]:
    visitor = Points(source)
    visitor.visit(ast.parse(source))
    return visitor.points


def mutate(source: str, index: int) -> str:
    """The module's source with mutation point ``index`` applied (the tree is re-walked on a fresh parse)."""
    tree = ast.parse(source)
    node, kind, *_ = mutation_points_of_tree(tree, source)[index]
    if kind == "cmp":
        compare, i = node
        compare.ops[i] = CMP_SWAPS[type(compare.ops[i])]()
    elif kind == "binop":
        node.op = BIN_SWAPS[type(node.op)]()
    elif kind == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "unary":
        _replace(tree, node, node.operand)
    elif kind == "const":
        value = node.value
        node.value = (
            (not value)
            if isinstance(value, bool)
            else value + 1
            if isinstance(value, int)
            else value + 1.0
            if isinstance(value, float)
            else value + "X"
        )
    elif kind == "delete":
        _replace(tree, node, ast.Pass())
    return ast.unparse(ast.fix_missing_locations(tree))


def mutation_points_of_tree(tree: ast.AST, source: str) -> list[tuple]:
    visitor = Points(source)
    visitor.visit(tree)
    return visitor.points


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = ast.copy_location(new, old)
                        return
            elif value is old:
                setattr(parent, name, ast.copy_location(new, old))
                return
    raise ValueError("node not found")


def module_name_uses(tree: ast.Module) -> dict[int, list[int]]:
    """For each module-level assignment (by its first line): the lines inside functions that read a name it
    binds, directly or through another module-level name built from it (CONTROL_CHARACTERS -> _CONTROL_BYTES)."""
    assigned: dict[str, ast.stmt] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            assigned[stmt.name] = stmt
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        assigned[node.id] = stmt
    reads_in_functions: dict[str, set[int]] = {name: set() for name in assigned}
    feeds: dict[str, set[str]] = {name: set() for name in assigned}  # name -> module-level names built from it
    for stmt in tree.body:
        in_function = isinstance(stmt, (ast.FunctionDef, ast.ClassDef))
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id in assigned and isinstance(node.ctx, ast.Load):
                if in_function and stmt is not assigned[node.id]:
                    reads_in_functions[node.id].add(node.lineno)
                elif stmt is not assigned[node.id]:
                    for other, where in assigned.items():
                        if where is stmt:
                            feeds[node.id].add(other)
    out: dict[int, list[int]] = {}
    for name, stmt in assigned.items():
        seen, todo, lines = {name}, [name], set()
        while todo:
            current = todo.pop()
            lines |= reads_in_functions[current]
            for fed in feeds[current] - seen:
                seen.add(fed)
                todo.append(fed)
        out.setdefault(stmt.lineno, [])
        out[stmt.lineno] = sorted(set(out[stmt.lineno]) | lines)
    return out


def mutants_of(name: str) -> list[Mutant]:
    _, path = MODULES[name]
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    uses = module_name_uses(tree)
    classes = {stmt.name: stmt.lineno for stmt in tree.body if isinstance(stmt, ast.ClassDef)}
    mutants = []
    for i, p in enumerate(mutation_points(source)):
        line = (p[0][0] if isinstance(p[0], tuple) else p[0]).lineno
        mutant = Mutant(name, i, line, p[3], p[4], p[6], p[2], p[5])
        if mutant.function == "<module>":
            mutant.module_level, mutant.uses = True, uses.get(mutant.first, [])
        elif mutant.function in classes:  # a class body (a dataclass field...)
            mutant.module_level, mutant.uses = True, uses.get(classes[mutant.function], [])
        mutant.occurrence = sum(
            1
            for m in mutants
            if (m.function, m.statement, m.description) == (mutant.function, mutant.statement, mutant.description)
        )
        mutants.append(mutant)
    return mutants


# ---- running tests in a fork -----------------------------------------------------------------------------


class MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``source`` as module ``fullname`` (first in sys.meta_path, so every importer gets it)."""

    def __init__(self, fullname: str, path: Path, source: str):
        self.fullname, self.path, self.source = fullname, path, source

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.fullname:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=str(self.path))

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__file__ = str(self.path)
        exec(compile(self.source, str(self.path), "exec"), module.__dict__)


def preload() -> None:
    """Third-party imports the tests need, done once before forking (never a project module)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import importlib

    for name in (
        "pytest",
        "numpy",
        "pandas",
        "scipy.stats",
        "scipy.special",
        "scipy.optimize",
        "duckdb",
        "hypothesis",
        "hypothesis.strategies",
        "typer",
        "typer.testing",
        "requests",
        "pyarrow",
        "xgboost",
        "yaml",
    ):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    loaded = [m for m in sys.modules if m.split(".")[0] in {"nbaprops", "predict", "scrapers"}]
    assert not loaded, f"project modules imported before forking: {loaded}"


def run_in_fork(target, timeout: float, log: Path) -> tuple[str, float, object]:
    """Run ``target()`` (returns an exit code, or (code, JSON-able payload)) in a forked child with its output in
    ``log``; kill it (its process group) on timeout."""
    payload_file = log.with_suffix(".json")
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        os.setpgid(0, 0)
        code = 3
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            result = target()
            code, payload = result if isinstance(result, tuple) else (result, None)
            payload_file.write_text(json.dumps(payload))
        except BaseException:  # noqa: BLE001 - anything in the child is reported by its exit code
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(int(code) if isinstance(code, int) else 3)
    deadline = started + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)  # the child's own process group: it and anything it started
            os.waitpid(pid, 0)
            return "timeout", time.monotonic() - started, None
        time.sleep(0.05)
    payload = json.loads(payload_file.read_text()) if payload_file.exists() else None
    payload_file.unlink(missing_ok=True)
    return str(os.waitstatus_to_exitcode(status)), time.monotonic() - started, payload


def pytest_args(tests: list[str]) -> list[str]:
    return [
        *tests,
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "--rootdir",
        str(ROOT),
        "-c",
        str(ROOT / "pyproject.toml"),
    ]


class LineRecorder:
    """A pytest plugin + tracer: which lines of the target files each test executes (setup, call, teardown)."""

    def __init__(self, files: dict[str, str]):
        self.files = files  # path -> module name
        self.current = "<collection>"
        self.hits: dict[str, dict[int, set[str]]] = {name: {} for name in files.values()}
        self.durations: dict[str, float] = {}

    def tracer(self, frame, event, arg):
        name = self.files.get(frame.f_code.co_filename)
        if name is None:
            return None
        hits = self.hits[name]

        def local(frame, event, arg):
            if event == "line":
                hits.setdefault(frame.f_lineno, set()).add(self.current)
            return local

        return local

    def pytest_runtest_logstart(self, nodeid, location):
        self.current = nodeid

    def pytest_runtest_logreport(self, report):
        self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + report.duration


def coverage(names: list[str], tests: list[str], log: Path) -> dict:
    """Run ``tests`` once on the real modules with the line tracer: {module: {line: [test ids]}}, durations."""
    import threading

    import pytest

    def target():
        recorder = LineRecorder({str(MODULES[n][1]): n for n in names})
        sys.settrace(recorder.tracer)
        threading.settrace(recorder.tracer)
        code = pytest.main(pytest_args(tests), plugins=[recorder])
        sys.settrace(None)
        hits = {n: {str(line): sorted(ids) for line, ids in h.items()} for n, h in recorder.hits.items()}
        return int(code), {"hits": hits, "durations": recorder.durations}

    status, seconds, payload = run_in_fork(target, 3600, log)
    if status != "0" or payload is None:
        raise SystemExit(f"the tests fail on the unmutated code (exit {status}); see {log}")
    payload["seconds"] = seconds
    return payload


class FewerExamples:
    """A pytest plugin: scale a test module's EXAMPLES (the importers' property test) by ``fraction``."""

    def __init__(self, fraction: float):
        self.fraction = fraction

    def pytest_collection_modifyitems(self, session, config, items):
        for module in {item.module for item in items if getattr(item, "module", None) is not None}:
            examples = getattr(module, "EXAMPLES", None)
            if isinstance(examples, dict) and not getattr(module, "_scaled", False):
                module.EXAMPLES = {k: max(10, int(v * self.fraction)) for k, v in examples.items()}
                module._scaled = True


def run_mutant(mutant: Mutant, source: str, tests: list[str], timeout: float, log: Path, fraction: float = 1.0) -> None:
    import pytest

    fullname, path = MODULES[mutant.module]
    mutated = mutate(source, mutant.index)

    def target():
        sys.meta_path.insert(0, MutantFinder(fullname, path, mutated))
        plugins = [FewerExamples(fraction)] if fraction < 1 else []
        return int(pytest.main(pytest_args(tests), plugins=plugins))

    status, seconds, _ = run_in_fork(target, timeout, log)
    mutant.seconds = round(seconds, 1)
    mutant.status = {"0": "survived", "1": "killed", "2": "killed", "timeout": "timeout"}.get(status, f"error {status}")
    if mutant.status.startswith("error"):
        mutant.status += f" (see {log})"


# ---- the run ---------------------------------------------------------------------------------------------


def existing(files: list[str]) -> list[str]:
    return [str(TESTS / f) for f in files if (TESTS / f).exists()]


def tests_for(mutant: Mutant, hits: dict[str, list[str]], group: list[str], durations: dict[str, float]) -> list[str]:
    """The test ids that execute the mutant's statement, fastest first. Module level: the tests that execute a
    line reading what the statement defines, else (no such line found) the whole group."""
    if mutant.module_level and not mutant.uses:
        return group
    lines = mutant.uses if mutant.module_level else range(mutant.first, mutant.last + 1)
    ids: set[str] = set()
    for line in lines:
        ids |= set(hits.get(str(line), []))
    ids.discard("<collection>")
    return sorted(ids, key=lambda t: (durations.get(t, 0.0), t))


def summary(mutants: list[Mutant]) -> dict:
    counts: dict[str, int] = {}
    for m in mutants:
        counts[m.status.split(" ")[0]] = counts.get(m.status.split(" ")[0], 0) + 1
    dead = counts.get("killed", 0) + counts.get("timeout", 0)
    return {**counts, "total": len(mutants), "score": round(dead / len(mutants), 3) if mutants else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES), help="default: all three")
    parser.add_argument("--index", type=int, action="append", help="run only these mutants (numbers from --list)")
    parser.add_argument("--sample", type=int, help="at most this many mutants per module (random, --seed)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (each is one process)")
    parser.add_argument("--rerun", type=Path, help="a previous report: run only the mutants it left alive")
    parser.add_argument("--list", action="store_true", help="print the mutants and stop")
    parser.add_argument(
        "--examples",
        type=float,
        default=1.0,
        help="run property tests (a module's EXAMPLES) with this fraction of their examples per mutant",
    )
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "nbaprops_mutation.json")
    args = parser.parse_args()
    names = args.module or sorted(MODULES)

    chosen: dict[str, list[Mutant]] = {}
    previous = json.loads(args.rerun.read_text()) if args.rerun else None
    for name in names:
        all_mutants = mutants_of(name)
        if previous is not None:
            alive = {
                m["key"]
                for m in previous["mutants"]
                if m["module"] == name and m["status"] in ("survived", "uncovered")
            }
            dead = [
                Mutant(**{k: v for k, v in m.items() if k != "key"})
                for m in previous["mutants"]
                if m["module"] == name and m["status"] not in ("survived", "uncovered")
            ]
            rerun = [m for m in all_mutants if m.key in alive]
            chosen[name] = rerun + dead  # the dead stay dead: adding tests cannot revive a mutant
            for m in dead:
                m.status = m.status if m.status.endswith("(earlier run)") else f"{m.status} (earlier run)"
        else:
            chosen[name] = [m for m in all_mutants if m.index in args.index] if args.index else all_mutants
            if args.sample and len(all_mutants) > args.sample:
                chosen[name] = sorted(random.Random(args.seed).sample(all_mutants, args.sample), key=lambda m: m.index)
    if args.list:
        for name, mutants in chosen.items():
            for m in mutants:
                print(f"{name:8} #{m.index:<4} line {m.line:<4} {m.function:28} {m.description:22} {m.statement[:70]}")
        print({name: len(m) for name, m in chosen.items()})
        return

    os.chdir(ROOT)
    preload()
    logs = Path(tempfile.mkdtemp(prefix="nbaprops_mutation_"))
    started = time.monotonic()
    # one coverage pass per test group (grade and pricing share theirs)
    groups: dict[tuple, list[str]] = {}
    for name in names:
        groups.setdefault(tuple(existing(TEST_GROUPS[name])), []).append(name)
    cover: dict[str, dict] = {}
    for tests, members in groups.items():
        print(f"coverage of {', '.join(members)} over {len(tests)} test files ...", flush=True)
        payload = coverage(members, list(tests), logs / f"coverage_{'_'.join(members)}.log")
        print(f"  {len(payload['durations'])} tests, {payload['seconds']:.0f} s", flush=True)
        for member in members:
            cover[member] = {"hits": payload["hits"][member], "durations": payload["durations"], "group": list(tests)}

    queue: list[Mutant] = []
    for name, mutants in chosen.items():
        for m in mutants:
            if m.status != "pending":
                continue
            m.tests = tests_for(m, cover[name]["hits"], cover[name]["group"], cover[name]["durations"])
            if not m.tests:
                m.status = "uncovered"
                continue
            queue.append(m)
    sources = {name: MODULES[name][1].read_text(encoding="utf-8") for name in chosen}
    print(f"{len(queue)} mutants to run ({args.jobs} at a time)", flush=True)
    running: dict[int, tuple] = {}
    done = 0

    def baseline(m: Mutant) -> float:
        durations = cover[m.module]["durations"]
        if m.tests == cover[m.module]["group"]:  # whole files
            return sum(durations.values())
        return sum(durations.get(t, 1.0) for t in m.tests)

    if args.jobs <= 1:
        for m in queue:
            run_mutant(
                m, sources[m.module], m.tests, 3 * baseline(m) + 20, logs / f"{m.module}_{m.index}.log", args.examples
            )
            done += 1
            print(
                f"[{done}/{len(queue)}] {m.module} #{m.index} line {m.line} {m.description:20} {m.status} ({m.seconds} s)",
                flush=True,
            )
    else:
        # a fork per mutant, each itself forking the test run; the pool is only a throttle
        from concurrent.futures import ThreadPoolExecutor

        def one(m: Mutant) -> Mutant:
            run_mutant(
                m, sources[m.module], m.tests, 3 * baseline(m) + 20, logs / f"{m.module}_{m.index}.log", args.examples
            )
            return m

        with ThreadPoolExecutor(args.jobs) as pool:
            for m in pool.map(one, queue):
                done += 1
                print(
                    f"[{done}/{len(queue)}] {m.module} #{m.index} line {m.line} {m.description:20} {m.status} ({m.seconds} s)",
                    flush=True,
                )
    del running

    report = {
        "seconds": round(time.monotonic() - started),
        "sampled": args.sample,
        "examples": args.examples,
        "modules": {},
        "mutants": [{**asdict(m), "key": m.key} for ms in chosen.values() for m in ms],
    }
    for name, mutants in chosen.items():
        report["modules"][name] = summary(mutants)
    args.out.write_text(json.dumps(report, indent=1))
    print(f"\n{'module':10} {'mutants':>8} {'killed':>7} {'timeout':>8} {'survived':>9} {'uncovered':>10} {'score':>6}")
    for name, s in report["modules"].items():
        print(
            f"{name:10} {s['total']:>8} {s.get('killed', 0):>7} {s.get('timeout', 0):>8} {s.get('survived', 0):>9} "
            f"{s.get('uncovered', 0):>10} {s['score']:>6}"
        )
    alive = [m for ms in chosen.values() for m in ms if m.status in ("survived", "uncovered")]
    if alive:
        print("\nalive:")
    for m in alive:
        reason = EXPLAINED.get(m.key)
        print(f"  {m.module} #{m.index} line {m.line} {m.function}: {m.description} [{m.status}]  {m.statement[:90]}")
        if reason:
            print(f"      explained: {reason}")
    print(f"\nreport: {args.out}; logs: {logs}; {report['seconds']} s")


if __name__ == "__main__":
    main()
