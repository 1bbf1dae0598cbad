"""The AWS actions each Lambda function's code calls, read from the source (AST), not run.

From each handler of a service's app.py the code it can reach is followed: calls and references
to the service's own functions, methods resolved by the type hints the code carries (parameters,
dataclass fields, `self.x = ...`, module objects made by a constructor), the values of module
objects a handler uses, and lambdas passed along. Along the way:
- a call of a client operation (an operation name of a service whose client the code makes:
  `boto3.client("s3")`, `create_client("s3")`, `_client("ses")`) is that operation's IAM action;
- the store (pawport/store.py) is not entered: its reads are their actions, and each write made
  (Put, Update, Add, Delete) is the item action DynamoDB checks, inside a transaction too;
- a callable made by Powertools' `idempotent_function` uses its DynamoDB record actions, and a read
  of a Powertools `SSMProvider` its SSM action;
- a method of a Protocol reaches that method of every class of the service's own code (the implementations).
What Lambda itself does with the role (logs, ENIs, polling, stream reads, dead letters) is read
from the handler's decorator instead (platform_actions).
"""
import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from botocore import xform_name
from botocore.session import get_session

REPO = Path(__file__).resolve().parents[2]
STORE_MODULE = "pawport.store"
STORE_READS = {"get": "dynamodb:GetItem", "query": "dynamodb:Query", "put_all": "dynamodb:BatchWriteItem"}
STORE_WRITES = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Add": "dynamodb:UpdateItem",
                "Delete": "dynamodb:DeleteItem"}
POWERTOOLS_IDEMPOTENCY = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
# A Powertools SSMProvider's reads, in a module that makes one (egress's LLM key).
POWERTOOLS_PARAMETERS = {"get": "ssm:GetParameter", "get_multiple": "ssm:GetParametersByPath"}
# Client calls whose IAM action is not the operation's own name. A HEAD or GET of a missing key
# answers 404 (which the code asks for) only with s3:ListBucket, else 403.
SPECIAL = {("s3", "head_object"): {"s3:GetObject", "s3:ListBucket"}, ("s3", "get_object"): {"s3:GetObject", "s3:ListBucket"},
           ("s3", "list_objects_v2"): {"s3:ListBucket"},
           ("s3", "copy_object"): {"s3:GetObject", "s3:PutObject"}, ("s3", "generate_presigned_post"): {"s3:PutObject"},
           ("lambda", "invoke"): {"lambda:InvokeFunction"}, ("rds", "generate_db_auth_token"): {"rds-db:connect"},
           ("sqs", "send_message_batch"): {"sqs:SendMessage"}}
PRESIGNED = {"get_object": {"s3:GetObject"}, "put_object": {"s3:PutObject"}}
IAM_PREFIX = {"cloudwatch": "cloudwatch", "lambda": "lambda", "s3": "s3", "ses": "ses", "sqs": "sqs", "rds": "rds",
              "cloudfront": "cloudfront"}
# a receiver whose type is not known and a method named like a builtin's: no guess
BUILTIN_METHODS = {n for t in (dict, list, str, bytes, set) for n in dir(t)} | {"read", "write", "close"}
ROUTE_DECORATORS = {"route", "json_route", "redirect_route"}
EVENT_DECORATORS = {"lambda_function", "schedule", "on_cw_event", "on_sqs_message", "on_dynamodb_record",
                    "on_s3_event", "on_sns_message"}
# A registry's lookup reaches every function its decorator registered (control's command handlers).
DISPATCH = {"handler_of": "handles"}
# What alembic's `command.upgrade` runs: the migrations' environment, shipped in control's package.
DYNAMIC_MODULES = {"upgrade": "migrations.env"}


@cache
def operations(service: str) -> frozenset[str]:
    return frozenset(xform_name(o) for o in get_session().get_service_model(service).operation_names)


def client_action(service: str, operation: str) -> set[str]:
    if (service, operation) in SPECIAL:
        return SPECIAL[service, operation]
    camel = get_session().get_service_model(service).operation_model(
        next(o for o in get_session().get_service_model(service).operation_names if xform_name(o) == operation)).name
    return {f"{IAM_PREFIX[service]}:{camel}"}


@dataclass
class Module:
    name: str
    tree: ast.Module
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)   # alias -> (module, symbol)
    defs: dict[str, ast.AST] = field(default_factory=dict)                    # top-level def/class
    values: dict[str, ast.expr] = field(default_factory=dict)                 # module objects' values


def module_files(service: str) -> dict[str, Path]:
    root = REPO / "services" / service
    files = {"app": root / "app.py"}
    for base, package in ((root, "chalicelib"), (REPO / "shared", "pawport")):
        files |= {".".join(p.relative_to(base).with_suffix("").parts): p for p in (base / package).rglob("*.py")}
    if service == "control":
        files["migrations.env"] = REPO / "migrations" / "env.py"
    return {name.removesuffix(".__init__"): path for name, path in files.items()}


def load(service: str, sources: dict[str, str] | None = None) -> dict[str, Module]:
    """The service's modules; `sources` replaces some by name (a test's planted call)."""
    texts = {name: path.read_text() for name, path in module_files(service).items()} | (sources or {})
    modules = {}
    for name, text in texts.items():
        module = Module(name, ast.parse(text))
        for node in module.tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = (alias.name, None)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                module.defs[node.name] = node
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                module.values[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                module.values[node.target.id] = node.value
        modules[name] = module
    return modules


Ref = tuple[str, str]   # (module, top-level name) or (module, "Class.method")


class Reach:
    """What one handler reaches, and the AWS actions on the way."""

    def __init__(self, modules: dict[str, Module]):
        self.modules = modules
        self.clients = {s for m in modules.values() for s in _made_clients(m.tree)}
        self.actions: set[str] = set()
        self._seen: set[object] = set()

    # ---- names to definitions ----

    def resolve(self, module: str, name: str) -> Ref | None:
        """Where a name used in `module` is defined in the service's code (following imports)."""
        for _ in range(5):
            found = self.modules.get(module)
            if found is None:
                return None
            if name in found.defs or name in found.values:
                return module, name
            if name not in found.imports:
                return None
            module, symbol = found.imports[name]
            if symbol is None or f"{module}.{symbol}" in self.modules:   # a module of the service's own
                target = f"{module}.{symbol}" if symbol else module
                return (target, "") if target in self.modules else None
            name = symbol
        return None

    def node(self, ref: Ref) -> ast.AST | None:
        module = self.modules.get(ref[0])
        if module is None or not ref[1]:
            return None
        owner, _, member = ref[1].partition(".")
        found = module.defs.get(owner) or module.values.get(owner)
        if member and isinstance(found, ast.ClassDef):
            return next((d for d in found.body if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and d.name == member), None)
        return found

    def method(self, cls: Ref, name: str) -> Ref | None:
        node = self.node(cls)
        if isinstance(node, ast.ClassDef) and any(
                isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) and d.name == name for d in node.body):
            return cls[0], f"{cls[1]}.{name}"
        return None

    # ---- types from hints ----

    def annotation(self, module: str, hint: ast.expr | None) -> Ref | None:
        if isinstance(hint, ast.Constant) and isinstance(hint.value, str):
            hint = ast.parse(hint.value, mode="eval").body
        if isinstance(hint, ast.BinOp):   # X | None
            return self.annotation(module, hint.left) or self.annotation(module, hint.right)
        if isinstance(hint, ast.Name):
            ref = self.resolve(module, hint.id)
            return ref if ref and isinstance(self.node(ref), ast.ClassDef) else None
        return None

    def type_of(self, module: str, expr: ast.expr, scope: dict[str, Ref]) -> Ref | None:
        if isinstance(expr, ast.Name):
            if expr.id in scope:
                return scope[expr.id]
            ref = self.resolve(module, expr.id)
            value = self.node(ref) if ref else None
            return self.type_of(ref[0], value, {}) if ref and isinstance(value, ast.expr) else None
        if isinstance(expr, ast.Attribute):
            owner = self.type_of(module, expr.value, scope)
            return self.attribute_type(owner, expr.attr) if owner else None
        if isinstance(expr, ast.Call):
            callee = self.callee(module, expr.func, scope)
            target = self.node(callee) if callee else None
            if isinstance(target, ast.ClassDef):
                return callee
            if isinstance(target, (ast.FunctionDef, ast.AsyncFunctionDef)) and callee:
                return self.annotation(callee[0], target.returns) or (
                    (callee[0], callee[1].split(".")[0]) if target.returns and "Self" in ast.dump(target.returns) else None)
        return None

    def attribute_type(self, cls: Ref, attr: str) -> Ref | None:
        node = self.node(cls)
        if not isinstance(node, ast.ClassDef):
            return None
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.target.id == attr:
                return self.annotation(cls[0], item.annotation)
            if isinstance(item, ast.FunctionDef) and item.name == attr:   # a property
                return self.annotation(cls[0], item.returns)
        for item in node.body:
            if isinstance(item, ast.FunctionDef):
                scope = self.parameters(cls, item)
                for stmt in ast.walk(item):
                    if isinstance(stmt, ast.Assign) and any(
                            isinstance(t, ast.Attribute) and t.attr == attr and isinstance(t.value, ast.Name)
                            and t.value.id == "self" for t in stmt.targets):
                        return self.type_of(cls[0], stmt.value, scope)
        return None

    def parameters(self, cls: Ref | None, function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
                   module: str | None = None) -> dict[str, Ref]:
        module = module or (cls[0] if cls else "")
        args = function.args
        scope = {a.arg: t for a in args.args + args.kwonlyargs
                 if (t := self.annotation(module, getattr(a, "annotation", None)))}
        if cls and args.args and args.args[0].arg == "self":
            scope["self"] = cls
        return scope

    def callee(self, module: str, func: ast.expr, scope: dict[str, Ref]) -> Ref | None:
        if isinstance(func, ast.Name):
            return None if func.id in scope else self.resolve(module, func.id)
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id not in scope:
                imported = self.resolve(module, func.value.id)
                if imported and imported[1] == "":   # module.function
                    return self.resolve(imported[0], func.attr)
            owner = self.type_of(module, func.value, scope)
            return self.method(owner, func.attr) if owner else None
        return None

    # ---- walking ----

    def reach(self, ref: Ref) -> None:
        if ref in self._seen or ref[0] == STORE_MODULE:
            return
        self._seen.add(ref)
        node = self.node(ref)
        cls = (ref[0], ref[1].split(".")[0]) if "." in ref[1] else None
        if isinstance(node, ast.ClassDef):   # constructing runs __init__ / __post_init__ only
            for name in ("__init__", "__post_init__"):
                if (init := self.method(ref, name)):
                    self.reach(init)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.walk(ref[0], node, self.parameters(cls, node, ref[0]))
            if cls and self._is_protocol(cls):
                for implementation in self._implementations(node.name):
                    self.reach(implementation)
        elif isinstance(node, ast.expr):     # a module object a handler uses: what made it
            self.walk(ref[0], node, {})

    def walk(self, module: str, root: ast.AST, scope: dict[str, Ref]) -> None:
        scope = dict(scope)
        for node in _ordered(root):
            if isinstance(node, (ast.Lambda, ast.FunctionDef)) and node is not root:
                scope |= self.parameters(None, node, module)
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and (typed := self.type_of(module, node.value, scope)):
                scope[node.targets[0].id] = typed
            if isinstance(node, ast.Call):
                self.call(module, node, scope)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in scope:
                if (ref := self.resolve(module, node.id)):   # a function passed along, a module object used
                    self.reach(ref)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):   # a bound method passed along
                owner = self.type_of(module, node.value, scope)
                if owner and owner[0] != STORE_MODULE and (found := self.method(owner, node.attr)):
                    self.reach(found)

    def call(self, module: str, node: ast.Call, scope: dict[str, Ref]) -> None:
        func = node.func
        ref = self.callee(module, func, scope)
        if isinstance(func, ast.Name) and func.id in DISPATCH:
            for registered in self._registered(DISPATCH[func.id]):
                self.reach(registered)
        if ref and ref[0] == STORE_MODULE:
            self.actions |= {STORE_WRITES[ref[1]]} if ref[1] in STORE_WRITES else set()
        elif ref:
            self.reach(ref)
        if not isinstance(func, ast.Attribute):
            return
        owner = self.type_of(module, func.value, scope)
        if owner and owner[0] == STORE_MODULE and func.attr in STORE_READS:
            self.actions.add(STORE_READS[func.attr])
        if owner and self._idempotent(owner, func.attr):
            self.actions |= POWERTOOLS_IDEMPOTENCY
        if func.attr in DYNAMIC_MODULES and DYNAMIC_MODULES[func.attr] in self.modules:
            self.walk(DYNAMIC_MODULES[func.attr], self.modules[DYNAMIC_MODULES[func.attr]].tree, {})
        if ref is None and owner is None:
            self.actions |= self._client_call(func.attr, node)
            if func.attr in POWERTOOLS_PARAMETERS and _makes_ssm_provider(self.modules[module].tree):
                self.actions.add(POWERTOOLS_PARAMETERS[func.attr])
            # untyped receiver: any of the service's methods so named, unless a library made it
            # (`Path(__file__).resolve()` is pathlib's, not a projection's `resolve`)
            if func.attr not in BUILTIN_METHODS and not self._foreign(module, func.value, scope):
                for name, mod in self.modules.items():
                    for cls in (d for d in mod.defs.values() if isinstance(d, ast.ClassDef)):
                        if name != STORE_MODULE and (found := self.method((name, cls.name), func.attr)):
                            self.reach(found)

    def _foreign(self, module: str, receiver: ast.expr, scope: dict[str, Ref]) -> bool:
        """Whether an expression starts at a name imported from outside the service's code (a library)."""
        root = receiver
        while isinstance(root, (ast.Attribute, ast.Call, ast.Subscript)):
            root = root.func if isinstance(root, ast.Call) else root.value
        return isinstance(root, ast.Name) and root.id not in scope and root.id in self.modules[module].imports \
            and self.resolve(module, root.id) is None

    def _client_call(self, operation: str, node: ast.Call) -> set[str]:
        named = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        if operation == "generate_presigned_url" and named in PRESIGNED:   # the holder's request, signed here
            return PRESIGNED[named] if "s3" in self.clients else set()
        if operation == "get_paginator" and named:
            operation = named
        found = set()
        for service in self.clients - {"dynamodb"}:   # DynamoDB only through the store
            if operation in operations(service) or (service, operation) in SPECIAL:
                found |= client_action(service, operation)
        return found

    def _is_protocol(self, cls: Ref) -> bool:
        node = self.node(cls)
        return isinstance(node, ast.ClassDef) and any(getattr(b, "id", None) == "Protocol" for b in node.bases)

    def _implementations(self, name: str) -> list[Ref]:
        """The service's own classes (chalicelib, not the shared package) defining the method; no dunders."""
        if name.startswith("__"):
            return []
        return [found for module, mod in self.modules.items() if module.startswith("chalicelib.")
                for cls in mod.defs.values() if isinstance(cls, ast.ClassDef)
                if not self._is_protocol((module, cls.name)) and (found := self.method((module, cls.name), name))]

    def _registered(self, decorator: str) -> list[Ref]:
        return [(name, d.name) for name, mod in self.modules.items() for d in mod.defs.values()
                if isinstance(d, ast.FunctionDef) and any(
                    isinstance(x, ast.Call) and getattr(x.func, "id", None) == decorator for x in d.decorator_list)]

    def _idempotent(self, cls: Ref, attr: str) -> bool:
        node = self.node(cls)
        return isinstance(node, ast.ClassDef) and any(
            isinstance(s, ast.Assign) and isinstance(s.value, ast.Call) and "idempotent_function" in ast.dump(s.value.func)
            and any(isinstance(t, ast.Attribute) and t.attr == attr for t in s.targets)
            for s in ast.walk(node))


def _ordered(root: ast.AST) -> Iterator[ast.AST]:
    """Nodes in source order, so an assignment types a name before its later uses."""
    return iter(sorted(ast.walk(root), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))))


def _makes_ssm_provider(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "SSMProvider" for n in ast.walk(tree))


def _made_clients(tree: ast.Module) -> set[str]:
    """Services whose client this module makes: a literal service name handed to a *client(...) call."""
    return {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args
            and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str)
            and (getattr(n.func, "attr", None) or getattr(n.func, "id", "")).endswith("client")}


@dataclass(frozen=True)
class Handler:
    function: str        # as Chalice names it in config.json's lambda_functions
    decorator: str       # route, lambda_function, schedule, on_sqs_message ...
    node: ast.FunctionDef


def handlers(modules: dict[str, Module]) -> list[Handler]:
    found = []
    for node in modules["app"].defs.values():
        for decorator in getattr(node, "decorator_list", []):
            if not isinstance(decorator, ast.Call):
                continue
            kind = getattr(decorator.func, "attr", None) or getattr(decorator.func, "id", "")
            named = next((k.value.value for k in decorator.keywords
                          if k.arg == "name" and isinstance(k.value, ast.Constant)), None)
            if kind in ROUTE_DECORATORS:
                found.append(Handler("api_handler", "route", node))
            elif kind in EVENT_DECORATORS:
                found.append(Handler(named or node.name, kind, node))
    return found


def code_actions(service: str, sources: dict[str, str] | None = None) -> dict[str, set[str]]:
    """Chalice function -> the AWS actions its code calls (every route shares api_handler)."""
    modules = load(service, sources)
    found: dict[str, set[str]] = {}
    for handler in handlers(modules):
        reach = Reach(modules)
        reach.walk("app", handler.node, reach.parameters(None, handler.node, "app"))
        found.setdefault(handler.function, set()).update(reach.actions)
    return found


def decorators(service: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for handler in handlers(load(service)):
        found.setdefault(handler.function, set()).add(handler.decorator)
    return found
