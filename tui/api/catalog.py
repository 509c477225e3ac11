"""The model catalog: what each model costs, how much context it takes, what it supports.

Fetched from ``/ai/cline/models`` on the Cline API (OpenRouter's catalog shape, no auth)
or ``/models`` elsewhere, and cached on disk so the picker opens instantly and offline.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tui.api.client import ChatClient
from tui.api.errors import Failure, FailureError
from tui.files import make_private_dir, write_atomic


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str = ""
    context_length: int | None = None
    prompt_price: float | None = None  # USD per token
    completion_price: float | None = None  # USD per token
    reasoning: bool = False
    tools: bool = False
    images: bool = False  # takes images in the prompt (architecture.input_modalities)
    files: bool = False  # takes PDF files in the prompt

    @property
    def label(self) -> str:
        return self.name or self.id


def parse_catalog(data: Any) -> list[ModelInfo]:
    """Models from a catalog document: ``{"data": [...]}`` or a bare list, in either the
    OpenRouter shape (prices, context, supported parameters) or the plain OpenAI one."""
    items = data.get("data") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError("the model catalog is not a list")
    models = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        pricing = item.get("pricing")
        if not isinstance(pricing, dict):
            pricing = {}
        params = item.get("supported_parameters")
        params = [p for p in params if isinstance(p, str)] if isinstance(params, list) else []
        inputs = _input_modalities(item)
        context = item.get("context_length")
        if not isinstance(context, int):
            top = item.get("top_provider")
            context = top.get("context_length") if isinstance(top, dict) else None
        models.append(
            ModelInfo(
                id=item["id"],
                name=item["name"] if isinstance(item.get("name"), str) else "",
                context_length=context if isinstance(context, int) else None,
                prompt_price=_price(pricing.get("prompt")),
                completion_price=_price(pricing.get("completion")),
                reasoning="reasoning" in params or "include_reasoning" in params,
                tools="tools" in params,
                images="image" in inputs,
                files="file" in inputs,
            )
        )
    models.sort(key=lambda m: m.id)
    return models


def _input_modalities(item: dict[str, Any]) -> set[str]:
    """What a model takes in its prompt (OpenRouter: ``architecture.input_modalities``,
    or the older ``architecture.modality`` such as ``"text+image->text"``)."""
    architecture = item.get("architecture")
    if not isinstance(architecture, dict):
        return {"text"}
    listed = architecture.get("input_modalities")
    if isinstance(listed, list):
        return {m for m in listed if isinstance(m, str)}
    modality = architecture.get("modality")
    if isinstance(modality, str):
        return set(modality.split("->", 1)[0].split("+"))
    return {"text"}


def _price(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        price = float(value)
    except (TypeError, ValueError):
        return None
    return price if price >= 0 else None


class Catalog:
    def __init__(self, client: ChatClient, cache_dir: Path) -> None:
        self.client = client
        profile = client.profile
        digest = hashlib.sha256(profile.base_url.encode()).hexdigest()[:12]
        self.cache_file = cache_dir / f"models-{profile.name}-{digest}.json"

    def cached(self) -> tuple[list[ModelInfo], float] | None:
        """The cached catalog and when it was fetched, or None."""
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
            models = [ModelInfo(**m) for m in data["models"]]
            return models, float(data["fetched"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    async def fetch(self) -> list[ModelInfo]:
        """The catalog from the server, then cached. Raises ``FailureError``."""
        if self.client.profile.is_cline:
            try:
                data = await self.client.get_json("/ai/cline/models", auth=False)
            except FailureError as error:
                if error.failure.status != 404:
                    raise
                data = await self.client.get_json("/models")  # a Cline-compatible proxy
        else:
            data = await self.client.get_json("/models")
        try:
            models = parse_catalog(data)
        except ValueError as error:
            raise FailureError(Failure("server", f"Cannot read the model list: {error}.")) from None
        self._save(models)
        return models

    def _save(self, models: list[ModelInfo]) -> None:
        document = {"fetched": time.time(), "models": [asdict(m) for m in models]}
        try:
            make_private_dir(self.cache_file.parent)
            write_atomic(self.cache_file, json.dumps(document).encode())
        except OSError:
            pass  # a cache that cannot be written only costs a refetch
