"""IR -> the files of the generated package, as a {relative path: text} plan."""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import jinja2

from generator import __version__
from generator.inputs import digest
from generator.ir import Method
from generator.render import PACKAGE, PUBLIC, model, types
from generator.render.cache import RenderCache
from generator.render.env import environment, method_spec, typed_dict
from generator.render.naming import Rename
from generator.render.runtime import runtime_files

FORMAT = 2  # of a module's key; bump when what `part_key` hashes changes


class Planner:
    """Collects the files of one run. The templates write black's layout themselves
    (render/layout.py), so what they render is what is written."""

    def __init__(self, cache: RenderCache | None = None) -> None:
        self.env: jinja2.Environment = environment()
        self.files: dict[str, str] = {}
        self.rendered: dict[str, str] = {}
        self.cache = cache or RenderCache(None)
        self.memo: model.Memo | None = None  # the shelf of the module being rendered
        self.typed_dict = self.piece("typed_dict", typed_dict)
        self.env.globals.update(
            function=self.piece("function", self.function),
            namespace_class=self.piece("namespace_class", self.namespace_class),
            typed_dicts=self.piece("typed_dicts", self.typed_dicts),
        )
        self.method_spec = self.piece("method_spec", method_spec)

    def function(self, fn: model.Function, is_async: bool, stub: bool) -> str:
        return self.macro("_function.jinja", "function", fn, is_async, stub)

    def namespace_class(self, ns: model.Namespace, is_async: bool, stub: bool) -> str:
        return self.macro("_namespace.jinja", "namespace_class", ns, is_async, stub)

    def typed_dicts(self, dicts: list[types.DictType], stub: bool, sep: str) -> str:
        """A module's TypedDicts, `sep` between them."""
        return sep.join(self.typed_dict(td, stub) for td in dicts)

    def macro(self, template: str, name: str, *args: Any) -> str:
        return str(getattr(self.env.get_template(template).module, name)(*args))

    def piece(self, kind: str, make: Callable[..., str]) -> Callable[..., str]:
        """`make` as the templates call it, or the text it made in an earlier run
        from equal arguments (records of the model by their `identity`, flags by
        their repr), kept on the shelf of the module being rendered."""

        def kept(*args: Any) -> str:
            if self.memo is None:
                return make(*args)
            key = f"{kind}:{keyed(' '.join(map(model.identity, args)))}"
            text = self.memo.get(key)
            if not isinstance(text, str):
                text = make(*args)
                self.memo.put(key, text)
            return text

        return kept

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(version=__version__, **context)

    def emit(self, name: str, template: str, **context: Any) -> None:
        self.rendered[name] = self.render(template, **context)

    def emit_kept(self, name: str, template: str, **context: Any) -> None:
        """`emit`, or the text an earlier run rendered from an equal context (the
        context's `repr` is its key: it holds only strings, numbers and the model's
        frozen records, in a fixed order)."""
        key = f"{template}:{keyed(repr((template, sorted(context.items()))))}"
        kept = self.cache.get(key)
        if not isinstance(kept, str):
            kept = self.render(template, **context)
            self.cache.put(key, kept)
        self.rendered[name] = kept

    def formatted(self) -> dict[str, str]:
        return {**self.files, **self.rendered}


class SpecRow(NamedTuple):
    """A method's entry in `_specs.py`: its constant, key and rendered statement."""

    const: str
    wire: str
    api: str
    text: str


@dataclass
class ModuleStats:
    """What the report counts of one module."""

    functions: int = 0
    returns_any: int = 0
    alternatives: int = 0
    typed_params: int = 0
    any_params: int = 0
    typed_dicts: int = 0
    causes: Counter[str] = field(default_factory=Counter)
    findings: list[str] = field(default_factory=list)


@dataclass
class ModuleMade:
    """One root namespace rendered: its module and stub, its `_specs.py` rows, its
    counts and renames. Kept between runs by `part_key`."""

    files: dict[str, str]
    rows: list[SpecRow]
    stats: ModuleStats
    renames: list[Rename]


@dataclass
class Planned:
    """What a run rendered from, for the report."""

    outline: model.Outline
    made: list[ModuleMade]


Fingerprint = Callable[[str], "str | None"]  # a page's input identity (or None)


class Methods(Protocol):
    """The methods a run renders, loaded as far as rendering asks for them
    (`pipeline.Loaded`)."""

    @property
    def methods(self) -> list[Method]: ...  # every one, in reading order

    def page_methods(self, display: str) -> list[Method]: ...

    @property
    def outline_key(self) -> str | None: ...  # identifies `model.outline_facts`


@dataclass
class Listed:
    """Methods at hand, as `Methods`."""

    methods: list[Method]
    outline_key: str | None = None

    def page_methods(self, display: str) -> list[Method]:
        named = zip(self.methods, model.refs(self.methods), strict=True)
        return [m for m, at in named if at.path == display]


def plan(methods: list[Method], specs: dict[tuple[str, str], str]) -> dict[str, str]:
    """Everything the generator writes, keyed by path relative to the output folder.
    `specs` maps a method's key to the spec path shown in headers and comments."""
    return plan_built(Listed(methods), specs)[0]


def plan_built(
    source: Methods,
    specs: dict[tuple[str, str], str],
    cache: RenderCache | None = None,
    fingerprint: Fingerprint | None = None,
) -> tuple[dict[str, str], Planned]:
    """The files, and what they were rendered from (for the report). With `cache`
    and `fingerprint` (what identifies a page's input: its content and includes),
    the outline of an earlier run over methods with the same `outline_facts` is
    taken as it was, and so is a module whose inputs and names are as in an earlier
    run: then only the pages of the modules rendered again are loaded."""
    out = Planner(cache)
    whole = kept_outline(source, specs, out.cache)
    method_of = MethodLookup(source)
    made = [make_module(out, part, fingerprint, method_of) for part in whole.parts]
    for m in made:
        out.rendered.update(m.files)
    views = {
        api: {part.key: namespace_view(part) for part in whole.parts if part.api == api}
        for api in ("v2", "v3")
    }
    sources = f"{len(whole.kept)} method specs"
    root = views["v2"].pop("", None)  # dot-less methods, mixed into the clients
    out.emit(
        f"{PACKAGE}/client.py",
        "client.py.jinja",
        sources=sources,
        roots=list(views["v2"].values()),
        v3_roots=list(views["v3"].values()),
        root_sync=root["sync_class"] if root else "",
        root_async=root["async_class"] if root else "",
    )
    out.emit_kept(
        f"{PACKAGE}/_specs.py",
        "specs.py.jinja",
        sources=sources,
        rows=sorted((row for m in made for row in m.rows), key=lambda r: r.const),
    )
    out.emit_kept(
        f"{PACKAGE}/errors.py",
        "errors.py.jinja",
        sources=f"the error tables of {len(whole.kept)} method specs",
        classes=whole.classes,
        runtime_classes=model.RUNTIME_CLASSES,
    )
    out.emit(
        f"{PACKAGE}/__init__.py",
        "package_init.py.jinja",
        exports=PUBLIC,
        public=[name for _, names in PUBLIC for name in names],
    )
    out.emit(f"{PACKAGE}/_version.py", "_version.py.jinja")
    if views["v3"]:
        out.emit(f"{PACKAGE}/v3/__init__.py", "v3_init.py.jinja")
    for name, text in runtime_files().items():
        out.files[f"{PACKAGE}/{name}"] = text
    out.files[f"{PACKAGE}/py.typed"] = ""
    out.files[f"{PACKAGE}/mockdata.json"] = mock_json(
        [
            mock_text(out.cache, fingerprint, method_of, r)
            for r in sorted(whole.kept, key=model.mock_order)
        ]
    )
    out.files["pyproject.toml"] = out.render(
        "pyproject.toml.jinja", has_v3=bool(views["v3"])
    )
    return dict(sorted(out.formatted().items())), Planned(whole, made)


def namespace_view(part: model.ModulePart) -> dict[str, str]:
    """What the client module needs to attach a root namespace."""
    return {
        "module": part.module,
        "attr": part.root.attr,
        "sync_class": part.root.class_name,
        "async_class": "Async" + part.root.class_name,
    }


def kept_outline(
    source: Methods, specs: dict[tuple[str, str], str], cache: RenderCache
) -> model.Outline:
    """The outline of an earlier run over methods with the same outline facts, or a
    new one. It is kept pickled as `model.outline` made it: building modules fills
    its namespaces in."""
    key = f"outline:{source.outline_key}" if source.outline_key else None
    kept = cache.get(key)  # None without a cache file
    if isinstance(kept, bytes):
        try:
            whole = pickle.loads(kept)
        except Exception:  # whatever a damaged pickle raises: made anew, then
            whole = None
        if isinstance(whole, model.Outline):
            return whole
    whole = model.outline(source.methods, specs)
    if cache.file:
        cache.put(key, pickle.dumps(whole, protocol=pickle.HIGHEST_PROTOCOL))
    return whole


class MethodLookup:
    """A method of the outline by its reference, loading its page once."""

    def __init__(self, source: Methods) -> None:
        self.source = source
        self.pages: dict[str, dict[model.MethodRef, Method]] = {}

    def __call__(self, at: model.MethodRef) -> Method:
        if at.path not in self.pages:
            methods = self.source.page_methods(at.path)
            self.pages[at.path] = dict(zip(model.refs(methods), methods, strict=True))
        return self.pages[at.path][at]


def make_module(
    out: Planner,
    part: model.ModulePart,
    fingerprint: Fingerprint | None,
    method_of: model.MethodOf,
) -> ModuleMade:
    """The part rendered, or as an earlier run rendered the same inputs."""
    key = part_key(part, fingerprint) if fingerprint and out.cache.file else None
    kept = out.cache.get(key)
    shelf = out.cache.shelf(f"{part.api}:{part.key}")  # named: kept while it exists
    if isinstance(kept, ModuleMade):
        return kept
    pieces = model.Kept(shelf, fingerprint) if fingerprint and out.cache.file else None
    made = render_module(out, part, method_of, pieces)
    out.cache.put(key, made, apart=True)  # not rewritten while the module stays
    return made


def render_module(
    out: Planner,
    part: model.ModulePart,
    method_of: model.MethodOf,
    kept: model.Kept | None = None,
) -> ModuleMade:
    """Build one root namespace and render its module and stub (`kept`: what an
    earlier run built and rendered of its methods, on the module's shelf)."""
    types_, renames = model.build_module(part, method_of, kept)
    ns = part.root
    funcs = ns.all_functions()
    namespaces = ns.walk()
    dicts = types_.dicts
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
    package = "." if part.api == "v2" else ".."
    context = dict(
        sources=spec_folders([f.spec for f in funcs]),
        api=part.api,
        label=ns.label,
        functions=funcs,
        namespaces=namespaces,
        dicts=dicts,
        uses=uses,
        specs_import=f"{package}_specs",
        client_import=f"{package}_client",
    )
    folder = f"{PACKAGE}/" if part.api == "v2" else f"{PACKAGE}/v3/"
    out.memo = kept.memo if kept else None
    files = {
        f"{folder}{part.module}{suffix}": out.render(f"module{suffix}.jinja", **context)
        for suffix in (".py", ".pyi")
    }
    rows = [SpecRow(str(f.const), f.wire, f.api, out.method_spec(f)) for f in funcs]
    out.memo = None
    stats = ModuleStats(
        functions=len(funcs),
        returns_any=sum(1 for f in funcs if "Any" in f.returns),
        alternatives=sum(1 for f in funcs if f.one_of),
        typed_params=types_.typed_params,
        any_params=types_.any_params,
        typed_dicts=len(dicts),
        causes=Counter(types_.causes),
        findings=[f.text for f in types_.findings if f.kind == "returns-disagree"],
    )
    return ModuleMade(files, rows, stats, renames)


def part_key(part: model.ModulePart, fingerprint: Fingerprint) -> str | None:
    """A hash of everything a module is built and rendered from besides the
    generator (whose fingerprint keys the cache file): its names, the names the rest
    of the package gave it, and its methods' inputs. None when a method's input
    cannot be identified."""
    items = []
    for node, leaf, at, const, spec in part.items:
        identity = fingerprint(at.path)
        if identity is None:
            return None
        items.append([node.path, leaf, identity, at.method, at.api, const, spec])
    skeleton = [
        [
            ns.path,
            ns.attr,
            ns.class_name,
            ns.segment,
            sorted(ns.leaf_segments.items()),
            sorted(ns.children),
        ]
        for ns in part.root.walk()
    ]
    text = json.dumps(
        [
            FORMAT,
            part.api,
            part.key,
            part.module,
            skeleton,
            items,
            sorted(part.errors.items()),
            sorted(part.own),
        ],
        ensure_ascii=False,
    )
    return "module:" + keyed(text)


def mock_json(entries: list[str]) -> str:
    """The mock portal's data (`model.mock_data`) from its entries' texts
    (`mock_text`) in the order of `model.mock_order`: what `json.dumps(...,
    indent=1, sort_keys=True, ensure_ascii=False)` writes, indented so the diffs of
    a committed package stay short."""
    if not entries:
        return '{\n "methods": []\n}\n'
    return '{\n "methods": [\n' + ",\n".join(entries) + "\n ]\n}\n"


def mock_text(
    cache: RenderCache,
    fingerprint: Fingerprint | None,
    method_of: model.MethodOf,
    at: model.MethodRef,
) -> str:
    """A method's entry in the mock portal's data, as `mock_json` places it; kept
    by its page's input identity."""
    identity = fingerprint(at.path) if fingerprint and cache.file else None
    key = f"mock:{identity}:{at}" if identity else None  # `at` tells records apart
    kept = cache.get(key)
    if not isinstance(kept, str):
        text = json.dumps(
            model.mock_entry(method_of(at)),
            indent=1,
            sort_keys=True,
            ensure_ascii=False,
        )
        kept = "\n".join("  " + line for line in text.split("\n"))
        cache.put(key, kept)
    return kept


def keyed(text: str) -> str:
    """A cache key for `text` (any string, lone surrogates included)."""
    return digest(text.encode("utf-8", "surrogatepass"))


def spec_folders(paths: list[str]) -> str:
    folders = sorted({p.rsplit("/", 1)[0] + "/" for p in paths if "/" in p})
    return ", ".join(folders) if folders else ""
