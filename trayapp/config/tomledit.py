"""Editing config.toml in place with tomlkit: comments, blank lines and order survive.

tomllib (stdlib) only reads; tomlkit parses into a document that writes back
exactly what it read, so a user's notes stay where they were and a document
nobody changed is byte-identical. Each function changes one thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array
from tomlkit.toml_document import TOMLDocument


def parse(text: str) -> TOMLDocument:
    return tomlkit.parse(text)


def dumps(doc: TOMLDocument) -> str:
    return doc.as_string()


def _services(doc: TOMLDocument) -> Any:
    return doc.get("services")


def service_tables(doc: TOMLDocument) -> list[Any]:
    """The ``[[services]]`` tables (or inline tables of ``services = [...]``), in order."""
    found = _services(doc)
    if isinstance(found, AoT | Array | list):
        return [t for t in found if isinstance(t, dict)]
    return []


def find_service(doc: TOMLDocument, sid: str) -> Any | None:
    for table in service_tables(doc):
        if table.get("id") == sid:
            return table
    return None


def set_top(doc: TOMLDocument, key: str, value: object | None) -> None:
    """Set a top-level key (before the first table), or remove it when ``value`` is None."""
    if value is None:
        if key in doc:
            del doc[key]
        return
    doc[key] = value              # tomlkit places a new plain key above the tables


def set_service_key(doc: TOMLDocument, sid: str, key: str, value: object | None) -> None:
    table = find_service(doc, sid)
    if table is None:
        raise KeyError(sid)
    if value is None:
        if key in table:
            del table[key]
    else:
        table[key] = value


def add_service(doc: TOMLDocument, values: dict[str, Any]) -> None:
    """Append one ``[[services]]`` table holding ``values`` (dicts become inline tables)."""
    table = tomlkit.table()
    for k, v in values.items():
        if isinstance(v, dict):
            inline = tomlkit.inline_table()
            inline.update(v)
            table.add(k, inline)
        else:
            table.add(k, v)
    found = _services(doc)
    if isinstance(found, AoT):
        if not doc.as_string().endswith("\n\n"):
            table.trivia.indent = "\n"     # a blank line above it, like the tables before
        found.append(table)
    elif isinstance(found, Array | list):
        inline = tomlkit.inline_table()
        inline.update(table.unwrap())
        found.append(inline)
    else:
        aot = tomlkit.aot()
        aot.append(table)
        doc.append("services", aot)


def remove_service(doc: TOMLDocument, sid: str) -> None:
    found = _services(doc)
    if found is None:
        return
    for i, table in enumerate(list(found)):
        if isinstance(table, dict) and table.get("id") == sid:
            del found[i]
            return


def string_list(values: Sequence[str]) -> Array:
    array = tomlkit.array()
    array.extend(values)
    return array
