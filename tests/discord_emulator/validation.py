"""Checks each body the bot sends: Discord's documented limits, then the OpenAPI request
schema of the operation (a second, independent check; the spec alone is too lax)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

SUBSET = Path(__file__).with_name("openapi_subset.json")

# One flat error: (path, code, message). Paths use Discord's style: embeds.0.title.
Error = tuple[str, str, str]


@cache
def _validators() -> dict[str, Draft202012Validator]:
    subset = json.loads(SUBSET.read_text())
    out = {}
    for op_id, op in subset["operations"].items():
        # Components sit beside the schema so "#/components/schemas/X" resolves.
        schema = {**op["schema"], "components": subset["components"]}
        out[op_id] = Draft202012Validator(schema)
    return out


# The callback body is a union; picking the branch by `type` gives precise errors.
CALLBACK_SCHEMAS = {
    1: "PongInteractionCallbackRequest",
    4: "CreateMessageInteractionCallbackRequest",
    5: "CreateMessageInteractionCallbackRequest",
    6: "UpdateMessageInteractionCallbackRequest",
    7: "UpdateMessageInteractionCallbackRequest",
    8: "ApplicationCommandAutocompleteCallbackRequest",
    9: "ModalInteractionCallbackRequest",
    12: "LaunchActivityInteractionCallbackRequest",
}


@cache
def _component_validator(name: str) -> Draft202012Validator:
    subset = json.loads(SUBSET.read_text())
    ref = {"$ref": f"#/components/schemas/{name}", "components": subset["components"]}
    return Draft202012Validator(ref)


def check_callback_schema(body: Any) -> list[Error]:
    kind = body.get("type") if isinstance(body, dict) else None
    name = CALLBACK_SCHEMAS.get(kind) if isinstance(kind, int) else None
    if name is None:
        return check_schema("create_interaction_response", body)
    return _errors(_component_validator(name), body)


def _path(parts: Any) -> str:
    return ".".join(str(p) for p in parts) or "_root"


def check_schema(operation: str, body: Any) -> list[Error]:
    return _errors(_validators()[operation], body)


def _errors(validator: Draft202012Validator, body: Any) -> list[Error]:
    errors: list[Error] = []
    for error in validator.iter_errors(body):
        # anyOf/oneOf report a vague top error; the best sub-error says what is wrong.
        detail: ValidationError = best_match(error.context) if error.context else error
        errors.append(("openapi:" + _path(detail.absolute_path), "SCHEMA", detail.message))
    return errors


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _max(errors: list[Error], path: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        errors.append(
            (path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length ({len(value)}).")
        )


def _required_text(errors: list[Error], path: str, value: Any, limit: int) -> None:
    if not isinstance(value, str) or not value.strip():
        errors.append((path, "BASE_TYPE_REQUIRED", "This field is required"))
    else:
        _max(errors, path, value, limit)


def check_embeds(embeds: Any, prefix: str = "embeds") -> list[Error]:
    errors: list[Error] = []
    if embeds is None:
        return errors
    if not isinstance(embeds, list):
        return [(prefix, "BASE_TYPE_ARRAY", "Must be an array.")]
    if len(embeds) > 10:
        errors.append((prefix, "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        at = f"{prefix}.{i}"
        if not isinstance(embed, dict):
            errors.append((at, "DICT_TYPE_CONVERT", "Only dictionaries may be used."))
            continue
        _max(errors, f"{at}.title", embed.get("title"), 256)
        _max(errors, f"{at}.description", embed.get("description"), 4096)
        total += _length(embed.get("title")) + _length(embed.get("description"))
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors.append((f"{at}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer."))
        for j, fld in enumerate(fields):
            fat = f"{at}.fields.{j}"
            _required_text(errors, f"{fat}.name", fld.get("name"), 256)
            _required_text(errors, f"{fat}.value", fld.get("value"), 1024)
            total += _length(fld.get("name")) + _length(fld.get("value"))
        footer = embed.get("footer")
        if footer:
            _max(errors, f"{at}.footer.text", footer.get("text"), 2048)
            total += _length(footer.get("text"))
        author = embed.get("author")
        if author:
            _max(errors, f"{at}.author.name", author.get("name"), 256)
            total += _length(author.get("name"))
    if total > 6000:
        errors.append(
            (
                prefix,
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of 6000 ({total}).",
            )
        )
    return errors


def check_message(
    body: Any, *, require_allowed_mentions: bool = False, prefix: str = ""
) -> list[Error]:
    """A message body: channel post, edit, interaction reply data, follow-up."""
    if not isinstance(body, dict):
        return [(prefix or "_root", "DICT_TYPE_CONVERT", "Only dictionaries may be used.")]
    p = f"{prefix}." if prefix else ""
    errors: list[Error] = []
    _max(errors, f"{p}content", body.get("content"), 2000)
    errors += check_embeds(body.get("embeds"), f"{p}embeds")
    nonce = body.get("nonce")
    if isinstance(nonce, str):
        _max(errors, f"{p}nonce", nonce, 25)
    if require_allowed_mentions and "allowed_mentions" not in body:
        errors.append(
            (f"{p}allowed_mentions", "EMULATOR_REQUIRED", "Bot messages must set allowed_mentions.")
        )
    return errors


def check_choices(choices: Any, prefix: str = "data.choices") -> list[Error]:
    if not isinstance(choices, list):
        return [(prefix, "BASE_TYPE_REQUIRED", "This field is required")]
    errors: list[Error] = []
    if len(choices) > 25:
        errors.append((prefix, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    for i, choice in enumerate(choices):
        name = choice.get("name") if isinstance(choice, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            errors.append(
                (f"{prefix}.{i}.name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100.")
            )
        value = choice.get("value") if isinstance(choice, dict) else None
        if isinstance(value, str) and len(value) > 100:
            errors.append((f"{prefix}.{i}.value", "BASE_TYPE_BAD_LENGTH", "Must be 100 or less."))
    return errors


def check_commands(commands: Any) -> list[Error]:
    if not isinstance(commands, list):
        return [("_root", "BASE_TYPE_ARRAY", "Must be an array.")]
    errors: list[Error] = []
    if len(commands) > 100:
        errors.append(("_root", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."))

    def walk(options: Any, at: str) -> None:
        if len(options or []) > 25:
            errors.append((at, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        for i, opt in enumerate(options or []):
            _check_named(errors, opt, f"{at}.{i}", chat_input=True)
            walk(opt.get("options"), f"{at}.{i}.options")

    for i, command in enumerate(commands):
        if not isinstance(command, dict):
            errors.append((str(i), "DICT_TYPE_CONVERT", "Only dictionaries may be used."))
            continue
        _check_named(errors, command, str(i), chat_input=command.get("type", 1) == 1)
        walk(command.get("options"), f"{i}.options")
    return errors


def _check_named(errors: list[Error], item: dict[str, Any], at: str, *, chat_input: bool) -> None:
    # Name 1-32 chars; description 1-100 for chat input commands and options.
    name = item.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        errors.append((f"{at}.name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32."))
    desc = item.get("description")
    if chat_input and (not isinstance(desc, str) or not 1 <= len(desc) <= 100):
        errors.append((f"{at}.description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100."))


def nest(errors: list[Error]) -> dict[str, Any]:
    """Discord's nested `errors` object: {"embeds": {"0": {"title": {"_errors": [...]}}}}."""
    out: dict[str, Any] = {}
    for path, code, message in errors:
        node = out
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return out
