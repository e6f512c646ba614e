"""Size figures for the package, as the pipeline issue asks them: modules, function lengths, CLI.

    python tools/code_metrics.py            # a table for a closing note
    python tools/code_metrics.py --json     # the same figures for a script

Function length counts the lines from `def` to the last line of the body (decorators excluded).
A CLI command is a function decorated with `@cli.command` (or `@<group>.command`).
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "podcast"


def functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def length(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return (node.end_lineno or node.lineno) - node.lineno + 1


def is_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "command":
            return True
    return False


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(package: Path = PACKAGE) -> dict[str, object]:
    modules: dict[str, int] = {}
    lengths: list[int] = []
    commands: dict[str, int] = {}
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).with_suffix("").as_posix()
        text = path.read_text()
        modules[name] = text.count("\n")
        for node in functions(ast.parse(text)):
            lengths.append(length(node))
            if is_command(node):
                commands[node.name] = length(node)
    return {
        "modules": len(modules),
        "lines": sum(modules.values()),
        "largest": sorted(modules.items(), key=lambda kv: -kv[1])[:8],
        "module_median": statistics.median(modules.values()),
        "functions": len(lengths),
        "function_median": statistics.median(lengths),
        "function_p90": percentile(lengths, 0.9),
        "function_max": max(lengths),
        "commands": commands,
    }


def table(figures: dict[str, object]) -> str:
    commands = figures["commands"]
    assert isinstance(commands, dict)
    rows = [
        f"modules: {figures['modules']} ({figures['lines']} lines, "
        f"median {figures['module_median']})",
        "largest: " + ", ".join(f"{n} {c}" for n, c in figures["largest"]),  # type: ignore[attr-defined]
        f"functions: {figures['functions']}, length median {figures['function_median']}, "
        f"p90 {figures['function_p90']}, max {figures['function_max']}",
        "CLI commands (lines): " + ", ".join(f"{n} {c}" for n, c in sorted(commands.items())),
    ]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = measure()
    print(json.dumps(figures, indent=2) if args.json else table(figures))


if __name__ == "__main__":
    main()
