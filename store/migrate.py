"""Bringing a data file written by an older version of the app up to the current schema.

A file's schema is ``meta``'s ``schema`` field.  Schema 0 is what came before
it existed: a TinyDB file with a ``reviews`` table (documents without
``schema``, maybe without ``id`` or item ids) and no schema in ``meta``.

Each step in :data:`MIGRATIONS` turns the whole file's data from version n
into n + 1.  :func:`migrate` first keeps the file's old bytes as
``<name>.schema<n>.bak``, so whatever a step gets wrong can be undone by hand;
the store calls it under its lock and then writes the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from store.model import ITEM_LISTS, SCHEMA
from store.ops import PLAIN_KEY
from store.storage import read_bytes, write_durably

_ITEM_ID = re.compile(r"^i(\d+)$")


def schema_of(data: dict) -> int:
    """The schema a file's data declares; 0 when its ``meta`` table has none."""
    for doc in (data.get("meta") or {}).values():
        if isinstance(doc, dict) and "schema" in doc:
            return doc["schema"]
    return 0


def schema_backup_path(path: Path, version: int) -> Path:
    """Where the bytes of a schema-``version`` file are kept before it is migrated."""
    return path.with_name(f"{path.name}.schema{version}.bak")


def item_lists(doc: dict) -> list[tuple[str, list]]:
    """Every list of items in a review document, by name (missing lists are skipped)."""
    found = []
    for name in ITEM_LISTS:
        holder, key = doc, name
        if name == "five_whys.chains":
            holder, key = doc.get("five_whys") or {}, "chains"
        items = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(items, list):
            found.append((name, items))
    return found


def number_items(doc: dict) -> None:
    """Give every item without an id one, after every id already used, and keep ``next_item`` past them all.

    Plain strings standing for items become item objects.  Used on import,
    create and migration, so item ids stay unique and are never reused.
    """
    used = [int(match.group(1)) for _, items in item_lists(doc) for item in items
            if isinstance(item, dict) and (match := _ITEM_ID.match(str(item.get("id", ""))))]
    counter = max([int(doc.get("next_item") or 1), *(number + 1 for number in used)])
    for name, items in item_lists(doc):
        for index, item in enumerate(items):
            if isinstance(item, str):
                item = items[index] = {PLAIN_KEY[name]: item}
            if isinstance(item, dict) and not item.get("id"):
                items[index] = {"id": f"i{counter}"} | {k: v for k, v in item.items() if k != "id"}
                counter += 1
    doc["next_item"] = counter


def _v0_to_v1(data: dict) -> dict:
    """Schema 0 to 1: review ids from doc ids, item ids, ``next_item``, and the ``meta`` table."""
    reviews = data.get("reviews") or {}
    for key, doc in reviews.items():
        doc["id"] = f"pm-{key}"
        doc["schema"] = 1
        number_items(doc)
    data["reviews"] = reviews
    top = max((int(key) for key in reviews), default=0)
    data["meta"] = {"1": {"schema": 1, "next_review": top + 1}}
    return data


def _v1_to_v2(data: dict) -> dict:
    """Schema 1 to 2: a link is an object with a label (``{"label": "", "url": <the old text>}``)."""
    for doc in (data.get("reviews") or {}).values():
        if isinstance(doc, dict):
            upgrade_links(doc)
            doc["schema"] = 2
    for meta in (data.get("meta") or {}).values():
        if isinstance(meta, dict):
            meta["schema"] = 2
    return data


def upgrade_links(doc: dict) -> None:
    """Bare link texts (schema 1) become link objects without a label, in place."""
    links = doc.get("links")
    if isinstance(links, list):
        doc["links"] = [{"label": "", "url": link} if isinstance(link, str) else link for link in links]


MIGRATIONS: dict[int, Callable[[dict], dict]] = {0: _v0_to_v1, 1: _v1_to_v2}


def migrate(data: dict, path: Path) -> dict:
    """Back the file at ``path`` up as ``<name>.schema<n>.bak``, then run every step from n to SCHEMA.

    ``data`` is the parsed content of ``path``; call this only while holding
    the store's lock, and write the result.
    """
    found = schema_of(data)
    if found >= SCHEMA:
        return data
    raw = read_bytes(path)
    if raw is not None:
        write_durably(schema_backup_path(path, found), raw)
    for version in range(found, SCHEMA):
        data = MIGRATIONS[version](data)
    return data
