"""aiogram's Telegram types, each built the first time it is used instead of all at import.

aiogram declares its ~400 types with pydantic's `defer_build=True`, then resolves their forward
references by calling `model_rebuild()` on every one of them while `aiogram.types` imports, which
builds them all anyway; its methods (a class per Bot API call) are built at import too. That is
about 110 MB of resident memory and 2-3 s of start-up on a 2-core machine, for types a shop bot
never receives (aiogram issue #1513).

While aiogram imports, `model_rebuild` here does only what that loop is for: the names a type's
annotations use (imported by its module for type checkers only) are bound in that module, as
if imported there; and pydantic defers every model defined meanwhile. pydantic then builds each
model when it first validates one, on its own path for deferred models, whether the model is
validated alone or inside another one.

`bot/__init__.py` calls `defer()`, so it runs before anything imports aiogram. Imported in
another order, aiogram builds its types as it always did: slower and bigger, never wrong.

Measured again on 2026-12-03 (aiogram 3.31, pydantic 2.13; `python -m bench --quick`, 2 cores
shared): the first answer 1.8-1.9 s after start instead of 3.2-4.0 s with aiogram imported
first, 113 MB resident after a poll and 200 updates instead of 209 MB, and no difference per
update (the shop's CPU per browsing update 930-975 us either way). It patches pydantic's
private defaults, so pydantic is pinned below the next minor release (pyproject.toml) and
tests/unit/test_lazy_types.py fails when the types stop being deferred or parse differently.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic._internal import _config as pydantic_config


def defer() -> None:
    """Import aiogram with its types left to be built on first use (once per process)."""
    if "aiogram.types" in sys.modules:
        return
    eager = BaseModel.__dict__["model_rebuild"]

    def bind_names(cls: type[BaseModel], /, **kwargs: Any) -> bool | None:
        namespace = kwargs.get("_types_namespace")
        if namespace is None or cls.__pydantic_complete__ or set(kwargs) != {"_types_namespace"}:
            return eager.__func__(cls, **kwargs)  # type: ignore[no-any-return]
        _bind(cls, namespace)
        return None

    # aiogram's methods (a class per Bot API call) are not deferred: each would build the
    # types it nests, inline, at import. Any model defined while aiogram imports is.
    defaults = pydantic_config.config_defaults
    deferred = defaults["defer_build"]
    defaults["defer_build"] = True
    BaseModel.model_rebuild = classmethod(bind_names)  # type: ignore[method-assign,assignment]
    try:
        importlib.import_module("aiogram")
    finally:
        BaseModel.model_rebuild = eager  # type: ignore[method-assign]
        defaults["defer_build"] = deferred


def _bind(cls: type[BaseModel], namespace: Mapping[str, Any]) -> None:
    """Bind in `cls`'s module the names that only `namespace` has and that the string
    annotations of `cls` and of its bases use (pydantic may evaluate an inherited field's
    annotation in the subclass's module)."""
    module = vars(sys.modules[cls.__module__])
    for klass in cls.__mro__:
        for annotation in vars(klass).get("__annotations__", {}).values():
            if not isinstance(annotation, str):
                continue
            for node in ast.walk(ast.parse(annotation, mode="eval")):
                if isinstance(node, ast.Name) and node.id not in module and node.id in namespace:
                    module[node.id] = namespace[node.id]


def build_common() -> None:
    """Build `Update` now (every update goes through it), so the first user does not wait."""
    update: type[BaseModel] = importlib.import_module("aiogram.types").Update
    update.model_rebuild()
