"""IR -> the files of the generated package, as a {relative path: text} plan."""

from __future__ import annotations

import json

from generator import __version__
from generator.ir import Method
from generator.render import model, naming
from generator.render.env import environment
from generator.render.format import format_source

BASE_DOCS = {
    "AuthError": "Authentication failed: a missing, wrong or expired token or webhook.",
    "RateLimitError": "A request-rate or operating-time limit was hit; retry later.",
    "AccessError": "The caller lacks the permission, scope or plan the method needs.",
    "ValidationError": "The request's parameters did not pass validation.",
    "ServerError": "The portal failed on its side.",
    "BatchError": "A batch request was refused as a whole.",
    "MethodError": "A method-specific error documented on the method's page.",
}


def plan(methods: list[Method], specs: dict[tuple[str, str], str]) -> dict[str, str]:
    """Everything the generator writes, keyed by path relative to the output folder.
    `specs` maps a method's key to the spec path shown in headers and comments."""
    env = environment()
    classes = model.error_classes(methods)
    error_names = {c.code: c.name for c in classes}
    trees = model.build_namespaces(methods, specs, error_names)
    common = {"version": __version__}
    files: dict[str, str] = {}

    def emit(name: str, template: str, **context) -> None:
        text = env.get_template(template).render(**common, **context)
        files[name] = format_source(text, name)

    root_views: dict[str, list[dict]] = {"v2": [], "v3": []}
    root: dict | None = (
        None  # the namespace of dot-less methods, mixed into the clients
    )
    for api in ("v2", "v3"):
        roots = trees.get(api, {})
        attrs = naming.unique_names([k for k in roots if k], model.CLIENT_ATTRS)
        for key in sorted(roots):
            ns = roots[key]
            module = model.module_name(key)
            folder = "b24client/" if api == "v2" else "b24client/v3/"
            funcs = ns.all_functions()
            sources = spec_folders([f.spec for f in funcs])
            context = dict(
                sources=sources,
                api=api,
                label=ns.label,
                functions=funcs,
                namespaces=ns.walk(),
                specs_import=".._specs" if api == "v3" else "._specs",
            )
            emit(f"{folder}{module}.py", "module.py.jinja", **context)
            emit(f"{folder}{module}.pyi", "module.pyi.jinja", **context)
            view = {
                "module": module,
                "attr": attrs.get(key, ""),
                "sync_class": ns.class_name,
                "async_class": "Async" + ns.class_name,
            }
            if key:
                root_views[api].append(view)
            elif api == "v2":
                root = view
    emit(
        "b24client/client.py",
        "client.py.jinja",
        sources=f"{len(methods)} method specs",
        roots=root_views["v2"],
        v3_roots=root_views["v3"],
        root_sync=root["sync_class"] if root else "",
        root_async=root["async_class"] if root else "",
    )
    emit("b24client/_runtime.py", "runtime.py.jinja")
    emit("b24client/testing.py", "testing.py.jinja")
    emit("b24client/_flows.py", "flows.py.jinja")
    all_functions = sorted(
        (
            f
            for roots in trees.values()
            for ns in roots.values()
            for f in ns.all_functions()
        ),
        key=lambda f: f.const,
    )
    emit(
        "b24client/_specs.py",
        "specs.py.jinja",
        sources=f"{len(methods)} method specs",
        functions=all_functions,
    )
    emit(
        "b24client/errors.py",
        "errors.py.jinja",
        sources=f"the error tables of {len(methods)} " "method specs",
        classes=classes,
        bases=list(BASE_DOCS),
        base_docs=BASE_DOCS,
    )
    emit("b24client/__init__.py", "package_init.py.jinja")
    if root_views["v3"]:
        emit("b24client/v3/__init__.py", "v3_init.py.jinja")
    files["b24client/py.typed"] = ""
    files["b24client/mockdata.json"] = (
        json.dumps(
            model.mock_data(methods), indent=1, sort_keys=True, ensure_ascii=False
        )
        + "\n"
    )
    files["pyproject.toml"] = env.get_template("pyproject.toml.jinja").render(
        **common, has_v3=bool(root_views["v3"])
    )
    return dict(sorted(files.items()))


def spec_folders(paths: list[str]) -> str:
    folders = sorted({p.rsplit("/", 1)[0] + "/" for p in paths if "/" in p})
    return ", ".join(folders) if folders else ""
