"""IR -> the files of the generated package (`plan`), and what the rest of b24gen
needs to know of that package. The planning machinery (Jinja, the model, the runtime
it reads) is imported on first use: a run that finds nothing to do never loads it."""

from __future__ import annotations

from typing import Any

PACKAGE = "b24client"
# What `import b24client` offers, by the module that defines it.
PUBLIC = (
    ("._flows", ("ENTERPRISE", "STANDARD", "BatchResult", "Limits", "RetryPolicy")),
    ("._runtime", ("Result", "TokenAuth", "WebhookAuth")),
    (".client", ("AsyncBitrix24", "Bitrix24")),
    (".errors", ("Bitrix24Error",)),
)


def __getattr__(name: str) -> Any:
    if name in {"Planner", "plan", "plan_built"}:
        from generator.render import planning

        return getattr(planning, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
