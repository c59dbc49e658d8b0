"""Writes `openapi_subset.json`: the request-body schemas of the operations the emulator
validates, plus every component schema they reference (transitively).

Run once when the shared spec changes; tests never read /work/shared:

    .venv/bin/python -m tests.discord_emulator.extract_spec [path/to/openapi.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_SPEC = Path("/work/shared/discord-api-spec/openapi.json")
OUTPUT = Path(__file__).with_name("openapi_subset.json")

# operationId -> (method, path) as in the spec
OPERATIONS: dict[str, tuple[str, str]] = {
    "create_message": ("post", "/channels/{channel_id}/messages"),
    "update_message": ("patch", "/channels/{channel_id}/messages/{message_id}"),
    "create_interaction_response": (
        "post",
        "/interactions/{interaction_id}/{interaction_token}/callback",
    ),
    "execute_webhook": ("post", "/webhooks/{webhook_id}/{webhook_token}"),
    "update_original_webhook_message": (
        "patch",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    ),
    "update_webhook_message": (
        "patch",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
    ),
    "bulk_set_application_commands": ("put", "/applications/{application_id}/commands"),
    "bulk_set_guild_application_commands": (
        "put",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ),
    "create_application_command": ("post", "/applications/{application_id}/commands"),
    "create_guild_application_command": (
        "post",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ),
    "create_dm": ("post", "/users/@me/channels"),
    "create_webhook": ("post", "/channels/{channel_id}/webhooks"),
    "create_thread": ("post", "/channels/{channel_id}/threads"),
    "create_thread_from_message": ("post", "/channels/{channel_id}/messages/{message_id}/threads"),
}

REF_PREFIX = "#/components/schemas/"


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            found.add(ref[len(REF_PREFIX) :])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    all_schemas: dict[str, Any] = spec["components"]["schemas"]
    operations: dict[str, Any] = {}
    for op_id, (method, path) in OPERATIONS.items():
        op = spec["paths"][path][method]
        assert op["operationId"] == op_id, (op_id, op["operationId"])
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        operations[op_id] = {"method": method.upper(), "path": path, "schema": schema}

    wanted: set[str] = set()
    todo = _refs(operations)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        todo |= _refs(all_schemas[name]) - wanted
    schemas = {name: all_schemas[name] for name in sorted(wanted)}
    # Discord accepts integer snowflakes and discord.py sends some (e.g. recipient_id).
    if "SnowflakeType" in schemas:
        schemas["SnowflakeType"] = {
            "anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}],
            "x-emulator-note": "integers allowed: Discord accepts them, discord.py sends them",
        }
    return {
        "source": "discord/discord-api-spec specs/openapi.json (subset, generated)",
        "operations": operations,
        "components": {"schemas": schemas},
    }


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    subset = extract(json.loads(source.read_text()))
    OUTPUT.write_text(json.dumps(subset, indent=1, sort_keys=True) + "\n")
    print(
        f"wrote {OUTPUT} ({len(subset['operations'])} operations, "
        f"{len(subset['components']['schemas'])} schemas)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
