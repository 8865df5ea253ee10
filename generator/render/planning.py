"""IR -> the files of the generated package, as a {relative path: text} plan."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jinja2

from generator import __version__
from generator.ir import Method
from generator.render import PACKAGE, PUBLIC, model
from generator.render.cache import RenderCache, context_key
from generator.render.env import environment
from generator.render.runtime import runtime_files


class Planner:
    """Collects the files of one run. The templates write black's layout themselves
    (render/layout.py), so what they render is what is written."""

    def __init__(self, cache: RenderCache | None = None) -> None:
        self.env: jinja2.Environment = environment()
        self.files: dict[str, str] = {}
        self.rendered: dict[str, str] = {}
        self.cache = cache or RenderCache(None)

    def emit(self, name: str, template: str, **context: Any) -> None:
        text = self.env.get_template(template).render(version=__version__, **context)
        self.rendered[name] = text

    def emit_kept(
        self, name: str, template: str, digest: str | None, **context: Any
    ) -> None:
        """`emit`, or the text an earlier run rendered from the same context
        (`digest`: its `context_key`)."""
        key = f"{template}:{digest}" if digest else None
        kept = self.cache.get(key)
        if kept is None:
            self.emit(name, template, **context)
            self.cache.put(key, self.rendered[name])
        else:
            self.rendered[name] = kept

    def formatted(self) -> dict[str, str]:
        return {**self.files, **self.rendered}


def plan(methods: list[Method], specs: dict[tuple[str, str], str]) -> dict[str, str]:
    """Everything the generator writes, keyed by path relative to the output folder.
    `specs` maps a method's key to the spec path shown in headers and comments."""
    return plan_built(methods, specs)[0]


def plan_built(
    methods: list[Method],
    specs: dict[tuple[str, str], str],
    cache: RenderCache | None = None,
) -> tuple[dict[str, str], model.Built]:
    """The files, and the view they were rendered from (for the report); `cache`
    keeps the namespace modules of earlier runs."""
    out = Planner(cache)
    built = model.build(methods, specs)
    trees = built.trees
    sources = f"{len(built.methods)} method specs"
    roots = {
        api: emit_namespaces(out, api, trees.get(api, {}), built)
        for api in ("v2", "v3")
    }
    root = roots["v2"].pop("", None)  # dot-less methods, mixed into the clients
    out.emit(
        f"{PACKAGE}/client.py",
        "client.py.jinja",
        sources=sources,
        roots=list(roots["v2"].values()),
        v3_roots=list(roots["v3"].values()),
        root_sync=root["sync_class"] if root else "",
        root_async=root["async_class"] if root else "",
    )
    functions = sorted(built.functions(), key=lambda f: f.const)
    out.emit(
        f"{PACKAGE}/_specs.py", "specs.py.jinja", sources=sources, functions=functions
    )
    out.emit(
        f"{PACKAGE}/errors.py",
        "errors.py.jinja",
        sources=f"the error tables of {len(built.methods)} method specs",
        classes=built.classes,
        runtime_classes=model.RUNTIME_CLASSES,
    )
    out.emit(
        f"{PACKAGE}/__init__.py",
        "package_init.py.jinja",
        exports=PUBLIC,
        public=[name for _, names in PUBLIC for name in names],
    )
    out.emit(f"{PACKAGE}/_version.py", "_version.py.jinja")
    if roots["v3"]:
        out.emit(f"{PACKAGE}/v3/__init__.py", "v3_init.py.jinja")
    for name, text in runtime_files().items():
        out.files[f"{PACKAGE}/{name}"] = text
    out.files[f"{PACKAGE}/py.typed"] = ""
    out.files[f"{PACKAGE}/mockdata.json"] = mock_json(built.methods, out.cache)
    out.files["pyproject.toml"] = out.env.get_template("pyproject.toml.jinja").render(
        version=__version__, has_v3=bool(roots["v3"])
    )
    return dict(sorted(out.formatted().items())), built


def emit_namespaces(
    out: Planner, api: str, tree: dict[str, model.Namespace], built: model.Built
) -> dict[str, dict[str, str]]:
    """Render one module and stub per root namespace of an api; returns, per root key,
    what the client module needs to attach it."""
    folder = f"{PACKAGE}/" if api == "v2" else f"{PACKAGE}/v3/"
    package = "." if api == "v2" else ".."
    views: dict[str, dict[str, str]] = {}
    for key in sorted(tree):
        ns = tree[key]
        module = built.modules[(api, key)]
        funcs = ns.all_functions()
        namespaces = ns.walk()
        types_ = built.module_types.get((api, key))
        dicts = types_.dicts if types_ else []
        annotations = " ".join(
            [k.annotation for d in dicts for k in d.keys]
            + [a.annotation for f in funcs for a in f.args]
            + [f.returns for f in funcs]
        )
        uses = {
            "builtins": "builtins." in annotations,
            "builtins_stub": "builtins." in annotations
            or any("property" in n.shadowed for n in namespaces),
            "cached_property": any(n.children for n in namespaces),
            "not_required": any(
                any(k.required for k in d.keys) and not all(k.required for k in d.keys)
                for d in dicts
            ),
            "typed_dict": bool(dicts),
            "one_of": any(f.one_of for f in funcs),
            "overload": any(f.overloads for f in funcs),
            "deprecated": any(f.deprecated for f in funcs),
        }
        context = dict(
            sources=spec_folders([f.spec for f in funcs]),
            api=api,
            label=ns.label,
            functions=funcs,
            namespaces=namespaces,
            dicts=dicts,
            uses=uses,
            specs_import=f"{package}_specs",
            client_import=f"{package}_client",
        )
        digest = context_key(context) if out.cache.file else None
        out.emit_kept(f"{folder}{module}.py", "module.py.jinja", digest, **context)
        out.emit_kept(f"{folder}{module}.pyi", "module.pyi.jinja", digest, **context)
        views[key] = {
            "module": module,
            "attr": ns.attr,
            "sync_class": ns.class_name,
            "async_class": "Async" + ns.class_name,
        }
    return views


def mock_json(methods: list[Method], cache: RenderCache | None = None) -> str:
    """The mock portal's data, indented (diffs of a committed package stay short);
    kept by a hash of its compact form, which the C encoder writes ten times faster."""
    data = model.mock_data(methods)
    compact = json.dumps(data, sort_keys=True, ensure_ascii=False)
    key = (
        "mockdata:"
        + hashlib.sha256(compact.encode("utf-8", "surrogatepass")).hexdigest()
    )
    kept = cache.get(key) if cache else None
    if kept is None:
        kept = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        if cache:
            cache.put(key, kept)
    return kept


def spec_folders(paths: list[str]) -> str:
    folders = sorted({p.rsplit("/", 1)[0] + "/" for p in paths if "/" in p})
    return ", ".join(folders) if folders else ""
