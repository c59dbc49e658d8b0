"""The brief: the structured summary a post is rendered from, stored with its item."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Method = Literal["embedded", "llm", "labelled"]

DETAIL_NAMES: tuple[str, ...] = ("who", "what", "when", "where", "why", "how")

MAX_DETAIL = 300
MAX_BULLET = 200
MAX_INTRO = 700
MAX_TAKEAWAY = 400


def _tidy(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


class KeyDetails(BaseModel):
    """Who, What, When, Where, Why, How: each only when the article answers it."""

    model_config = ConfigDict(extra="forbid")

    who: str | None = Field(default=None, max_length=MAX_DETAIL)
    what: str | None = Field(default=None, max_length=MAX_DETAIL)
    when: str | None = Field(default=None, max_length=MAX_DETAIL)
    where: str | None = Field(default=None, max_length=MAX_DETAIL)
    why: str | None = Field(default=None, max_length=MAX_DETAIL)
    how: str | None = Field(default=None, max_length=MAX_DETAIL)

    @field_validator("*", mode="before")
    @classmethod
    def _fold(cls, value: Any) -> Any:
        return _tidy(value) if isinstance(value, str) else value

    def lines(self) -> list[tuple[str, str]]:
        """(name, value) of the details given, in the house order."""
        return [(name, value) for name in DETAIL_NAMES if (value := getattr(self, name))]


class Brief(BaseModel):
    """A brief, as `newsdesk preview --json` prints it, plus how it was made."""

    model_config = ConfigDict(extra="forbid")

    introduction: str = Field(max_length=MAX_INTRO)
    key_details: KeyDetails = Field(default_factory=KeyDetails)
    why_it_matters: list[str] = Field(default_factory=list, max_length=3)
    takeaway: str | None = Field(default=None, max_length=MAX_TAKEAWAY)
    method: Method = "embedded"
    title_mismatch: bool = False

    @field_validator("why_it_matters")
    @classmethod
    def _bullets(cls, value: list[str]) -> list[str]:
        return [text for text in (_tidy(v) for v in value) if text][:3]

    def public(self) -> dict[str, Any]:
        """The fields a reader sees (what `preview --json` prints, less the item's own)."""
        return {
            "introduction": self.introduction,
            "key_details": {name: getattr(self.key_details, name) for name in DETAIL_NAMES},
            "why_it_matters": list(self.why_it_matters),
            "takeaway": self.takeaway,
        }

    def text(self) -> str:
        """All of the brief's words, for the full-text index."""
        parts = [self.introduction, *(v for _, v in self.key_details.lines())]
        parts += self.why_it_matters
        if self.takeaway:
            parts.append(self.takeaway)
        return "\n".join(parts)


def llm_schema() -> dict[str, Any]:
    """The JSON schema an LLM is asked to fill (strict mode: every key required,
    no extra keys; a detail the article does not give is null)."""
    nullable = {"type": ["string", "null"]}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["introduction", "key_details", "why_it_matters", "takeaway"],
        "properties": {
            "introduction": {"type": "string", "description": "1-3 sentences: what happened"},
            "key_details": {
                "type": "object",
                "additionalProperties": False,
                "required": list(DETAIL_NAMES),
                "properties": {name: dict(nullable) for name in DETAIL_NAMES},
            },
            "why_it_matters": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "maxItems": 3,
            },
            "takeaway": {"type": "string", "description": "1-2 sentences"},
        },
    }
