"""Which receivers of `.from('t')` are Supabase clients, decided from the file's syntax tree.

`.from` is also `Array.from`, `Buffer.from`, `Color.from`, `z.from` and `storage.from`; each
false `.from()` becomes a false "no table" error. The receiver is followed to its binding in
the file (import, declaration, parameter, class field): a client is what a client factory
returns (`createClient`, `createServerClient`, a local `createAdminClient` wrapper …), what is
typed `SupabaseClient` (or a type from a Supabase module), what a `@supabase/*` or
`…/supabase/…` module exports, or a name listed in `[consumers] clients`. What the file cannot
tell is decided by the name (`supabase`, `client`, `db`, `admin`) and by the chain: only a
PostgREST query builder has `.from(…).select()` / `.insert()` / `.update()` / `.delete()`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from tree_sitter import Node

from lockstep.core.consumers.scope import (
    DECLARATIONS,
    WRAPPERS,
    ancestor,
    binding,
    descendants,
    in_import,
    module_of,
    type_binding,
    unwrap,
)
from lockstep.core.ts.parse import ParsedFile, string_literal

# fmt: off
# JS/Node globals, typed arrays, stream and observable libraries, Temporal.
NOT_CLIENTS = frozenset((
    "Array", "Buffer", "Object", "Set", "Map", "WeakMap", "WeakSet", "Promise", "Iterator",
    "AsyncIterator", "String", "Number", "Date", "Intl", "Observable", "Rx", "rxjs",
    "Readable", "ReadableStream", "Stream", "Temporal", "PlainDate", "PlainTime",
    "PlainDateTime", "ZonedDateTime", "Instant", "Duration", "PlainYearMonth", "PlainMonthDay",
    "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
    "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array",
    "BigUint64Array", "Immutable", "List", "Seq", "Blob", "File",
))
_PLAIN_VALUES = frozenset((
    "string", "template_string", "number", "array", "object", "arrow_function",
    "function_expression", "function", "class", "regex", "true", "false", "null",
))
# fmt: on
_FACTORIES = frozenset(
    ("function_declaration", "arrow_function", "function_expression", "function")
)
QUERY_METHODS = frozenset(("select", "insert", "update", "upsert", "delete"))
_CLIENT_WORDS = frozenset(("supabase", "client", "db", "admin", "sb", "database"))
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")  # camelCase/snake_case words
_LOCAL_MODULE = ("./", "../", "/", "@/", "~/", "~", "#", "$")
_MAX_HOPS = 8


def _words(name: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(name)]


def clientish(name: str) -> bool:
    """`supabase`, `supabaseAdmin`, `client`, `db`, `admin`, `sb`: a name people give clients."""
    return "supabase" in name.lower() or bool(_CLIENT_WORDS.intersection(_words(name)))


def factory_name(name: str) -> bool:
    """A function whose name says it makes a Supabase client: `createClient`,
    `createServerClient`, `createRouteHandlerClient`, `getSupabase`, `useSupabaseClient`."""
    return "supabase" in name.lower() or "client" in _words(name)


def _not_client(name: str) -> bool:
    return name in NOT_CLIENTS or name.lower().endswith("storage")


def _root(node: Node | None) -> Node | None:
    """`a` of `a.b.c()`."""
    while node is not None and node.type in ("member_expression", "call_expression", *WRAPPERS):
        field = {"member_expression": "object", "call_expression": "function"}.get(node.type)
        node = node.child_by_field_name(field) if field else unwrap(node)
    return node


class _Verdicts:
    """True: a client. False: certainly not one. None: the file cannot tell."""

    def __init__(self, parsed: ParsedFile, clients: Collection[str]) -> None:
        self.parsed = parsed
        self.clients = clients

    def text(self, node: Node) -> str:
        return self.parsed.text_of(node)

    def value(self, node: Node, hops: int = 0) -> bool | None:
        node = unwrap(node) or node
        if hops > _MAX_HOPS:
            return None
        if node.type == "identifier":
            return self.identifier(node, hops)
        if node.type == "member_expression":
            return self.member(node, hops)
        if node.type == "call_expression":
            return self.call(node, hops)
        if node.type == "new_expression":  # `new SupabaseClient(…)`, `new PostgrestClient(…)`
            constructor = node.child_by_field_name("constructor")
            name = self.text(constructor) if constructor is not None else ""
            if "supabase" in name.lower() or "postgrest" in name.lower():
                return True
            bound = binding(self.parsed, name, node) if constructor is not None else None
            return bound is not None and in_import(bound) and self.imported(bound, name) is True
        if node.type in ("binary_expression", "ternary_expression"):  # `a ?? b`, `c ? a : b`
            sides = [self.value(child, hops + 1) for child in node.named_children[-2:]]
            return True if True in sides else (False if all(s is False for s in sides) else None)
        return False if node.type in _PLAIN_VALUES else None

    def identifier(self, node: Node, hops: int) -> bool | None:
        name = self.text(node)
        if name in self.clients:
            return True
        if _not_client(name):
            return False
        bound = binding(self.parsed, name, node)
        verdict = self.bound(bound, name, hops) if bound is not None else None
        if verdict is None and name[:1].isupper() and not clientish(name):
            return False  # a class or namespace: `Color.from('red')`
        return verdict

    def bound(self, node: Node, name: str, hops: int) -> bool | None:
        """What a binding holds: a declared value, a typed parameter, an import."""
        if node.type in DECLARATIONS:
            return False
        if node.type == "identifier" and in_import(node):
            return self.imported(node, name)
        if node.type not in ("variable_declarator", "required_parameter", "optional_parameter"):
            return None
        target = node.child_by_field_name(
            "name" if node.type == "variable_declarator" else "pattern"
        )
        if target is not None and target.type != "identifier":
            return None  # destructured: `const { supabase } = …`: the name decides
        typed = self.annotation(node.child_by_field_name("type"), hops)
        value = node.child_by_field_name("value")
        if typed is None and value is not None:
            return self.value(value, hops + 1)
        return typed

    def imported(self, node: Node, name: str) -> bool | None:
        """A Supabase module's export is a client; another package's is not."""
        source = module_of(self.parsed, node)
        if "supabase" in source.lower():
            return True
        if clientish(name) or source.startswith(_LOCAL_MODULE):
            return None
        return False

    def member(self, node: Node, hops: int) -> bool | None:
        prop = node.child_by_field_name("property")
        obj = unwrap(node.child_by_field_name("object"))
        name = self.text(prop) if prop is not None else ""
        if name in self.clients or "supabase" in name.lower():
            return True
        if _not_client(name):
            return False
        if obj is not None and obj.type == "this":
            verdict = self.class_member(node, name, hops)
            if verdict is not None:
                return verdict
        root = _root(obj)
        if root is not None and root.type == "identifier" and self.text(root) in NOT_CLIENTS:
            return False
        return False if name[:1].isupper() and not clientish(name) else None

    def class_member(self, node: Node, name: str, hops: int) -> bool | None:
        """`this.name`: a field, a constructor parameter property or a `this.name = …`."""
        body = ancestor(node, "class_body")
        if body is None:
            return None
        for member in body.named_children:
            if member.type == "public_field_definition":
                field = member.child_by_field_name("name")
                if field is not None and self.text(field) == name:
                    typed = self.annotation(member.child_by_field_name("type"), hops)
                    value = member.child_by_field_name("value")
                    return (
                        self.value(value, hops + 1)
                        if typed is None and value is not None
                        else typed
                    )
            params = member.child_by_field_name("parameters")
            for param in params.named_children if params is not None else ():
                pattern = param.child_by_field_name("pattern")
                modifier = any(c.type == "accessibility_modifier" for c in param.named_children)
                if pattern is not None and modifier and self.text(pattern) == name:
                    return self.annotation(param.child_by_field_name("type"), hops)
        for assigned in descendants(body, ("assignment_expression",)):
            left, right = (
                assigned.child_by_field_name("left"),
                assigned.child_by_field_name("right"),
            )
            if left is not None and right is not None and self.text(left) == f"this.{name}":
                return self.value(right, hops + 1)
        return None

    def call(self, node: Node, hops: int) -> bool | None:
        callee = unwrap(node.child_by_field_name("function"))
        if callee is None:
            return None
        if callee.type == "member_expression":
            prop, obj = callee.child_by_field_name("property"), callee.child_by_field_name("object")
            name = self.text(prop) if prop is not None else ""
            if name == "schema" and obj is not None:
                return self.value(obj, hops + 1)
            if not factory_name(name):
                return None
            root = _root(obj)
            if root is not None and root.type == "identifier":
                bound = binding(self.parsed, self.text(root), root)
                if bound is not None and self.bound(bound, self.text(root), hops + 1) is False:
                    return False  # `redis.createClient()`
            return True
        name = self.text(callee)
        if name in self.clients:
            return True
        if callee.type != "identifier" or not factory_name(name):
            return None
        bound = binding(self.parsed, name, callee)
        if bound is not None and in_import(bound):
            source = module_of(self.parsed, bound)
            if not source.startswith(_LOCAL_MODULE) and "supabase" not in source.lower():
                # `createClient` from redis, libsql … or from a workspace package that wraps
                # Supabase (`@acme/db`): the file cannot tell, the name and chain decide
                return True if "supabase" in name.lower() else None
        return True

    def annotation(self, node: Node | None, hops: int) -> bool | None:
        """A type: `SupabaseClient<Database>`, `ReturnType<typeof createClient>`, a type
        imported from a Supabase module or aliased in this file → client; `any`, `Client`
        and what cannot be resolved → unknown; `Color`, `string` → not a client."""
        if node is not None and node.type == "type_annotation":
            node = node.named_children[-1] if node.named_children else None
        if node is None or hops > _MAX_HOPS:
            return None
        if "supabase" in self.text(node).lower():
            return True
        for query in descendants(node, ("type_query",)):
            names = self.names(query.named_children[-1]) if query.named_children else []
            return True if any(factory_name(name) for name in names) else None
        if node.type in ("union_type", "intersection_type", "parenthesized_type"):
            parts = [c for c in node.named_children if c.type != "literal_type"]
            verdicts = [self.annotation(part, hops + 1) for part in parts]
            return True if True in verdicts else (None if None in verdicts else False)
        if node.type == "predefined_type":
            return None if self.text(node) in ("any", "unknown") else False
        head = node.child_by_field_name("name") if node.type == "generic_type" else node
        if head is None or head.type != "type_identifier":
            return None
        name = self.text(head)
        bound = type_binding(self.parsed, name)
        if bound is not None and bound.type == "type_alias_declaration":
            return self.annotation(bound.child_by_field_name("value"), hops + 1)
        if bound is not None and in_import(bound):
            return self.imported(bound, name)
        # `Client`, `DbClient`: unknown; `Color`, `Kysely<DB>`: a type of something else
        return None if "client" in _words(name) else False

    def names(self, node: Node) -> list[str]:
        """Names that speak for a receiver: the identifier, property or called function."""
        node = unwrap(node) or node
        if node.type == "call_expression":
            callee = unwrap(node.child_by_field_name("function"))
            if callee is not None and callee.type == "member_expression":
                prop, obj = (
                    callee.child_by_field_name("property"),
                    callee.child_by_field_name("object"),
                )
                if prop is not None and obj is not None and self.text(prop) == "schema":
                    return self.names(obj)
            return self.names(callee) if callee is not None else []
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            return [self.text(prop)] if prop is not None else []
        return [self.text(node)] if node.type == "identifier" else []


def is_client(
    parsed: ParsedFile,
    receiver: Node,
    chain: Iterable[str] = (),
    clients: Collection[str] = (),
) -> bool:
    """Whether `receiver.from(…)` queries a table; `chain` names the calls that follow it,
    `clients` the receivers `[consumers] clients` lists."""
    verdicts = _Verdicts(parsed, clients)
    verdict = verdicts.value(receiver)
    if verdict is not None:
        return verdict
    if any(clientish(name) for name in verdicts.names(receiver)):
        return True
    return next(iter(chain), None) in QUERY_METHODS


def _option(parsed: ParsedFile, node: Node | None, key: str) -> Node | None:
    """The value of `key` in an object literal."""
    for pair in node.named_children if node is not None and node.type == "object" else ():
        name = pair.child_by_field_name("key") if pair.type == "pair" else None
        if name is not None and parsed.text_of(name).strip("'\"") == key:
            return pair.child_by_field_name("value")
    return None


def client_schema(parsed: ParsedFile, receiver: Node) -> str | None:
    """The default schema of a client created in this file: `createClient(url, key, { db:
    { schema: 'api' } })`, followed through variables and local factory functions whose one
    `return` makes it."""
    node = unwrap(receiver)
    for _ in range(_MAX_HOPS):
        if node is not None and node.type == "identifier":
            bound = binding(parsed, parsed.text_of(node), node)
            if bound is None or bound.type != "variable_declarator":
                return None
            node = unwrap(bound.child_by_field_name("value"))
            continue
        if node is None or node.type != "call_expression":
            return None
        args = node.child_by_field_name("arguments")
        for arg in args.named_children if args is not None else ():
            found = string_literal(parsed, _option(parsed, _option(parsed, arg, "db"), "schema"))
            if found is not None:
                return found.value
        node = unwrap(_returned(parsed, node))
    return None


def _returned(parsed: ParsedFile, call: Node) -> Node | None:
    """What a call of a function declared in this file returns, when it has one `return` (or
    is an arrow function with an expression body)."""
    callee = unwrap(call.child_by_field_name("function"))
    if callee is None or callee.type != "identifier":
        return None
    function = binding(parsed, parsed.text_of(callee), callee)
    if function is not None and function.type == "variable_declarator":
        function = unwrap(function.child_by_field_name("value"))
    if function is None or function.type not in _FACTORIES:
        return None
    body = function.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return body
    returns = [node for node in descendants(body, ("return_statement",))
               if _enclosing_function(node) == function]
    if len(returns) != 1 or not returns[0].named_children:
        return None
    return returns[0].named_children[0]


def _enclosing_function(node: Node) -> Node | None:
    current = node.parent
    while current is not None and current.type not in _FACTORIES:
        current = current.parent
    return current
