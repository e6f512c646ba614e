"""Read YAML files into mappings that remember each key's line, for `path:line` messages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, overload

import yaml

from podcast.errors import Problem, Severity
from podcast.files import NotARegularFile, read_regular
from podcast.model import XML_FORBIDDEN, double_encoded

try:  # libyaml's parser is several times faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

T = TypeVar("T")
MAX_BYTES = 1_000_000  # an episode file is a few KB; anything larger is a mistake
# Aliases let a 1 KB file stand for gigabytes ("billion laughs"); whoever walks the constructed
# value (str(), a deep copy, a template) pays for every repetition, so bound what it expands to.
MAX_EXPANDED = 2 * MAX_BYTES  # characters plus nodes, counting each alias as often as it is used
MAX_DEPTH = 64  # far beyond any real catalog, far below Python's recursion limit


_STR = "tag:yaml.org,2002:str"


def _construct(node: yaml.Node) -> Any:
    """The value of `node` as yaml.safe_load builds it. Most values are plain text, which
    SafeConstructor returns as the node's value: that needs no constructor of its own."""
    if node.tag == _STR and type(node) is yaml.ScalarNode:
        return node.value
    return yaml.constructor.SafeConstructor().construct_document(node)


_NO_VALUE: yaml.Node = yaml.ScalarNode("tag:yaml.org,2002:null", "")


@dataclass
class Fields:
    """A YAML mapping's keys, each with its value node and line; problems land in `problems`."""

    path: Path
    line: int
    nodes: dict[str, tuple[yaml.Node, int]]
    problems: list[Problem]
    digest: str = ""  # of the file's bytes this mapping was parsed from ("" when nested)

    def lines_only(self) -> Fields:
        """The same keys and lines without their value nodes: enough to place later problems.

        A loaded catalog keeps one per episode until its duplicate checks; the node trees
        were most of the load's peak memory.
        """
        lines = {key: line for key, (_, line) in self.nodes.items()}
        fields = lines_only_fields(self.path, self.line, lines, self.problems)
        fields.digest = self.digest
        return fields

    def key_lines(self) -> MappingProxyType[str, int]:
        """Each key's 1-based line, read-only: kept on the model for later findings."""
        return MappingProxyType({key: line for key, (_, line) in self.nodes.items()})

    def error(self, key: str | None, message: str, hint: str = "") -> None:
        """Record an error at `key`'s line (or the mapping's)."""
        self.problems.append(Problem(self.path, self.line_of(key), message, hint))

    def warn(self, key: str | None, message: str, hint: str = "") -> None:
        """Record a warning at `key`'s line (or the mapping's)."""
        self.problems.append(Problem(self.path, self.line_of(key), message, hint, Severity.WARNING))

    def line_of(self, key: str | None) -> int:
        """The 1-based line of `key`, or of the mapping when absent."""
        return self.nodes[key][1] if key in self.nodes else self.line

    def has(self, key: str) -> bool:
        """True when the key is present and not null."""
        return key in self.nodes and self.nodes[key][0].tag != "tag:yaml.org,2002:null"

    def raw(self, key: str) -> Any:
        """The constructed value of `key` (None when absent)."""
        return _construct(self.nodes[key][0]) if key in self.nodes else None

    @overload
    def get(
        self, key: str, kind: type[T], default: T, required: bool = ..., hint: str = ...
    ) -> T: ...

    @overload
    def get(
        self, key: str, kind: type[T], default: None = None, required: bool = ..., hint: str = ...
    ) -> T | None: ...

    def get(
        self,
        key: str,
        kind: type[T],
        default: T | None = None,
        required: bool = False,
        hint: str = "",
    ) -> T | None:
        """The value of `key` if it is of `kind`; records missing/wrong-type errors."""
        if not self.has(key):
            if required:
                self.error(None, f"missing required key '{key}'", hint or f"add '{key}: …'")
            return default
        try:
            value = self.raw(key)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            self.error(key, f"'{key}' has an impossible value ({exc})", hint or "correct the value")
            return default
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # `title: 1999` is a string to the producer
        if not _is_kind(value, kind):
            quote = kind is str and isinstance(self.nodes[key][0], yaml.ScalarNode)
            self.error(
                key,
                f"'{key}' should be {describe(kind)}, not {describe(type(value))}",
                hint
                or (
                    f'put the value in quotes: {key}: "…"'
                    if quote
                    else f"write '{key}' as {describe(kind)}"
                ),
            )
            return default
        if isinstance(value, str):
            value = self._xml_text(key, value).strip()
            if required and not value and not default:  # nothing to show: as bad as missing
                self.error(key, f"'{key}' is empty", hint or f"write the {key} after '{key}:'")
                return default
            repaired = double_encoded(value)
            if repaired is not None:
                self.warn(
                    key,
                    f"'{key}' looks like text decoded twice: some apps will show {repaired[:60]!r}",
                    "retype the accented letters, or save the "
                    "source file as UTF-8 and copy the text again",
                )
        return value  # type: ignore[no-any-return]

    def _xml_text(self, key: str, value: str) -> str:
        """`value` without the characters XML 1.0 forbids (warned about: they break feeds)."""
        bad = XML_FORBIDDEN.findall(value)
        if not bad:
            return value
        codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in bad}))
        self.warn(
            key,
            f"'{key}' contains control characters ({codes}) that a feed cannot "
            "carry; they were removed",
            "delete them (often pasted in from another program)",
        )
        return XML_FORBIDDEN.sub("", value)

    def child(self, key: str) -> Fields | None:
        """The nested mapping under `key`, or None (with an error if it is not a mapping)."""
        if not self.has(key):
            return None
        node = self.nodes[key][0]
        if not isinstance(node, yaml.MappingNode):
            self.error(
                key, f"'{key}' should be a mapping of keys", f"indent the keys under '{key}:'"
            )
            return None
        return mapping_fields(self.path, node, self.problems)

    def items(self, key: str) -> list[Fields]:
        """The list of mappings under `key` (each with its own lines)."""
        if not self.has(key):
            return []
        node = self.nodes[key][0]
        if not isinstance(node, yaml.SequenceNode):
            self.error(key, f"'{key}' should be a list", f"start each entry of '{key}' with '- '")
            return []
        result = []
        for item in node.value:
            if isinstance(item, yaml.MappingNode):
                result.append(mapping_fields(self.path, item, self.problems))
            else:
                self.problems.append(
                    Problem(
                        self.path,
                        item.start_mark.line + 1,
                        f"each entry of '{key}' should be a mapping",
                        "write entries as '- {name: …}'",
                    )
                )
        return result

    def warn_unknown(self, known: frozenset[str]) -> None:
        """Warn about keys nobody reads (often a typo)."""
        for key in self.nodes:
            if key not in known:
                close = [k for k in known if _similar(k, key)]
                hint = f"did you mean '{close[0]}'?" if close else "remove it or check the spelling"
                self.warn(key, f"unknown key '{key}' is ignored", hint)


def lines_only_fields(
    path: Path, line: int, lines: dict[str, int], problems: list[Problem]
) -> Fields:
    """Fields that know each key's line but hold no values: enough to place later problems."""
    return Fields(path, line, {key: (_NO_VALUE, at) for key, at in lines.items()}, problems)


def _similar(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def _is_kind(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is datetime:
        return isinstance(value, datetime)
    return isinstance(value, kind)


def describe(kind: type) -> str:
    """How a message or the docs name a value of `kind` ("text", "a whole number", …)."""
    names = {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
        datetime: "a date and time",
        date: "a date",
        type(None): "empty",
    }
    return names.get(kind, kind.__name__)


def mapping_fields(path: Path, node: yaml.MappingNode, problems: list[Problem]) -> Fields:
    """Index a mapping node's keys; duplicate and non-text keys are errors."""
    nodes: dict[str, tuple[yaml.Node, int]] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(path, line, "a key must be plain text", "remove the brackets"))
            continue
        key = str(key_node.value)
        if key in nodes:
            problems.append(
                Problem(
                    path,
                    line,
                    f"duplicate key '{key}' (first on line {nodes[key][1]})",
                    "keep one of the two",
                )
            )
            continue
        nodes[key] = (value_node, line)
    return Fields(path, node.start_mark.line + 1, nodes, problems)


def read_mapping(path: Path, problems: list[Problem]) -> Fields | None:
    """Parse a YAML file whose top level must be a mapping; None (with problems) if not."""
    data = _read_bytes(path, problems)
    text = None if data is None else _decoded(data, problems, path)
    if data is None or text is None:
        return None
    node = _compose(path, text, problems)
    if node is None:
        return None
    if not isinstance(node, yaml.MappingNode):
        problems.append(
            Problem(
                path,
                node.start_mark.line + 1,
                "the file should be a mapping of keys, not a list or a value",
                "write one 'key: value' per line at the left margin",
            )
        )
        return None
    if not _bounded(path, node, problems):
        return None
    fields = mapping_fields(path, node, problems)
    fields.digest = digest(data)
    return fields


def safe_load(text: str) -> Any:
    """`yaml.safe_load(text)`, parsed by libyaml where PyYAML has it (ten times faster): for
    files read whole and trusted to be small, such as the data the package ships."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader, C or Python


def digest(data: bytes) -> str:
    """The digest a file's bytes are remembered by (`read.memory`)."""
    return hashlib.sha256(data).hexdigest()


def _compose(path: Path, text: str, problems: list[Problem]) -> yaml.Node | None:
    """The document's node graph, or None with a problem for a syntax error or an empty file."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at_end = mark is not None and mark.index >= len(text.rstrip())
        if exc.context_mark and at_end:
            mark = exc.context_mark  # an unclosed quote or bracket: point at where it opened
        line = mark.line + 1 if mark else None
        what = " ".join(filter(None, [exc.context, exc.problem]))
        problems.append(Problem(path, line, f"YAML syntax error: {what}", _syntax_hint(text, line)))
        return None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids, e.g. a pasted control code
        line = text.count("\n", 0, exc.position) + 1
        problems.append(
            Problem(
                path,
                line,
                f"the character U+{exc.character:04X} is not allowed in YAML",
                "delete it; it is usually invisible in editors",
            )
        )
        return None
    except (yaml.YAMLError, RecursionError) as exc:  # pure-Python parser: deep nesting recurses
        problems.append(Problem(path, None, f"YAML error: {exc}", "check the file's syntax"))
        return None
    if node is None:
        problems.append(Problem(path, 1, "the file is empty", "write the keys, e.g. 'title: …'"))
    return node


def _syntax_hint(text: str, line: int | None) -> str:
    lines = text.splitlines()
    near = lines[max(0, (line or 1) - 2) : line or 1] if line else lines
    if any("\t" in part for part in near):
        return "YAML indents with spaces, never tabs: replace the tab with spaces"
    return "check indentation and quote text that contains ': ' or '#'"


def _bounded(path: Path, root: yaml.Node, problems: list[Problem]) -> bool:
    """False (with a problem) if aliases make the document huge, cyclic or too deeply nested."""
    sizes: dict[int, int] = {}
    total = 0
    for key_node, value_node in root.value:
        try:
            total += _expanded_size(value_node, sizes, 1)
        except _Unbounded as exc:
            reason = str(exc)
        else:
            if total <= MAX_EXPANDED:
                continue
            reason = f"its aliases expand the file to more than {MAX_EXPANDED:,} characters"
        problems.append(
            Problem(
                path,
                key_node.start_mark.line + 1,
                f"the value of '{key_node.value}' is too large: {reason}",
                "write the value out instead of repeating '*' aliases",
            )
        )
        return False
    return True


class _Unbounded(Exception):
    pass


def _expanded_size(node: yaml.Node, sizes: dict[int, int], depth: int) -> int:
    """Characters and nodes `node` stands for once every alias is expanded (memoised per node)."""
    known = sizes.get(id(node))
    if known is not None:
        if known < 0:
            raise _Unbounded("an alias refers to the value that contains it")
        return known
    if depth > MAX_DEPTH:
        raise _Unbounded(f"it is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, yaml.ScalarNode):
        return 1 + len(node.value)
    sizes[id(node)] = -1  # in progress: meeting it again means a cycle
    children = (
        (child for pair in node.value for child in pair)
        if isinstance(node, yaml.MappingNode)
        else iter(node.value)
    )
    total = 1
    for child in children:
        total += _expanded_size(child, sizes, depth + 1)
        if total > MAX_EXPANDED:
            break  # stop early: the sum of a bomb has more digits than is worth computing
    sizes[id(node)] = total
    return total


def _read_bytes(path: Path, problems: list[Problem]) -> bytes | None:
    try:
        data = read_regular(path, MAX_BYTES)
    except NotARegularFile:
        problems.append(
            Problem(
                path,
                None,
                "not a regular file (a folder, pipe or device)",
                "replace it with a plain text YAML file",
            )
        )
        return None
    except OSError as exc:
        problems.append(
            Problem(
                path,
                None,
                f"cannot read the file ({exc.strerror or exc})",
                "check that it exists and is readable",
            )
        )
        return None
    if len(data) > MAX_BYTES:
        problems.append(
            Problem(
                path,
                None,
                f"the file is larger than {MAX_BYTES:,} bytes",
                "an episode's YAML is a few KB: check this is the right file",
            )
        )
        return None
    return data


def _decoded(data: bytes, problems: list[Problem], path: Path) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                path,
                line,
                f"not UTF-8 text (byte {exc.start})",
                "save the file as UTF-8 in your editor",
            )
        )
        return None
