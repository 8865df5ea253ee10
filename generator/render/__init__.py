"""IR -> the files of the generated package, as a {relative path: text} plan."""

from __future__ import annotations

import json
from typing import Any

import jinja2

from generator import __version__
from generator.ir import Method
from generator.render import model, naming
from generator.render.env import environment
from generator.render.format import format_source
from generator.render.runtime import runtime_files

PACKAGE = "b24client"


class Planner:
    """Collects the rendered files of one run, each formatted with the pinned black."""

    def __init__(self) -> None:
        self.env: jinja2.Environment = environment()
        self.files: dict[str, str] = {}

    def emit(self, name: str, template: str, **context: Any) -> None:
        text = self.env.get_template(template).render(version=__version__, **context)
        self.files[name] = format_source(text, name)


def plan(methods: list[Method], specs: dict[tuple[str, str], str]) -> dict[str, str]:
    """Everything the generator writes, keyed by path relative to the output folder.
    `specs` maps a method's key to the spec path shown in headers and comments."""
    out = Planner()
    classes = model.error_classes(methods)
    trees = model.build_namespaces(methods, specs, {c.code: c.name for c in classes})
    sources = f"{len(methods)} method specs"
    roots = {api: emit_namespaces(out, api, trees.get(api, {})) for api in ("v2", "v3")}
    root = roots["v2"].pop("", None)  # dot-less methods, mixed into the clients
    roots["v3"].pop("", None)
    out.emit(
        f"{PACKAGE}/client.py",
        "client.py.jinja",
        sources=sources,
        roots=list(roots["v2"].values()),
        v3_roots=list(roots["v3"].values()),
        root_sync=root["sync_class"] if root else "",
        root_async=root["async_class"] if root else "",
    )
    namespaces = [ns for tree in trees.values() for ns in tree.values()]
    functions = sorted(
        (f for ns in namespaces for f in ns.all_functions()), key=lambda f: f.const
    )
    out.emit(
        f"{PACKAGE}/_specs.py", "specs.py.jinja", sources=sources, functions=functions
    )
    out.emit(
        f"{PACKAGE}/errors.py",
        "errors.py.jinja",
        sources=f"the error tables of {len(methods)} method specs",
        classes=classes,
    )
    out.emit(f"{PACKAGE}/__init__.py", "package_init.py.jinja")
    out.emit(f"{PACKAGE}/_version.py", "_version.py.jinja")
    if roots["v3"]:
        out.emit(f"{PACKAGE}/v3/__init__.py", "v3_init.py.jinja")
    for name, text in runtime_files().items():
        out.files[f"{PACKAGE}/{name}"] = text
    out.files[f"{PACKAGE}/py.typed"] = ""
    out.files[f"{PACKAGE}/mockdata.json"] = mock_json(methods)
    out.files["pyproject.toml"] = out.env.get_template("pyproject.toml.jinja").render(
        version=__version__, has_v3=bool(roots["v3"])
    )
    return dict(sorted(out.files.items()))


def emit_namespaces(
    out: Planner, api: str, tree: dict[str, model.Namespace]
) -> dict[str, dict[str, str]]:
    """Render one module and stub per root namespace of an api; returns, per root key,
    what the client module needs to attach it."""
    folder = f"{PACKAGE}/" if api == "v2" else f"{PACKAGE}/v3/"
    package = "." if api == "v2" else ".."
    attrs = naming.unique_names([k for k in tree if k], model.CLIENT_ATTRS)
    views: dict[str, dict[str, str]] = {}
    for key in sorted(tree):
        ns = tree[key]
        module = model.module_name(key)
        funcs = ns.all_functions()
        context = dict(
            sources=spec_folders([f.spec for f in funcs]),
            api=api,
            label=ns.label,
            functions=funcs,
            namespaces=ns.walk(),
            specs_import=f"{package}_specs",
            client_import=f"{package}_client",
        )
        out.emit(f"{folder}{module}.py", "module.py.jinja", **context)
        out.emit(f"{folder}{module}.pyi", "module.pyi.jinja", **context)
        views[key] = {
            "module": module,
            "attr": attrs.get(key, ""),
            "sync_class": ns.class_name,
            "async_class": "Async" + ns.class_name,
        }
    return views


def mock_json(methods: list[Method]) -> str:
    data = model.mock_data(methods)
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def spec_folders(paths: list[str]) -> str:
    folders = sorted({p.rsplit("/", 1)[0] + "/" for p in paths if "/" in p})
    return ", ".join(folders) if folders else ""
