"""Name lookup in one TypeScript file: which declaration, parameter or import a name refers to.

Deciding whether `x.from('t')` is a database call means knowing what `x` is; the file says it
in `const x = createClient()`, `(x: SupabaseClient)` or `import { x } from '@/lib/supabase'`.
This is lexical lookup over the tree-sitter tree, innermost scope first; what it cannot see
(globals, other files) is None.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from lockstep.core.ts.parse import ParsedFile, string_literal

# Expressions that do not change which value they stand for.
WRAPPERS = frozenset(
    (
        "parenthesized_expression",
        "non_null_expression",
        "await_expression",
        "as_expression",
        "satisfies_expression",
    )
)
DECLARATIONS = frozenset(
    (
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "abstract_class_declaration",
    )
)
_SCOPES = frozenset(("program", "statement_block", "class_body", "switch_body"))
_FUNCTIONS = frozenset(
    (
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "function",
        "generator_function",
        "arrow_function",
        "method_definition",
    )
)
_VARIABLES = frozenset(("lexical_declaration", "variable_declaration"))
_PATTERNS = frozenset(
    (
        "object_pattern",
        "array_pattern",
        "rest_pattern",
        "assignment_pattern",
        "object_assignment_pattern",
    )
)
_TYPES = frozenset(("type_alias_declaration", "interface_declaration", "class_declaration"))


def unwrap(node: Node | None) -> Node | None:
    """`(x)`, `x!`, `await x`, `x as T`, `x satisfies T` → `x`."""
    while node is not None and node.type in WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    return node


def ancestor(node: Node, kind: str) -> Node | None:
    current = node.parent
    while current is not None and current.type != kind:
        current = current.parent
    return current


def descendants(node: Node, kinds: tuple[str, ...]) -> Iterator[Node]:
    """Named descendants (and the node itself) of the given types, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in kinds:
            yield current
        stack.extend(reversed(current.named_children))


def in_import(node: Node) -> bool:
    return ancestor(node, "import_statement") is not None


def module_of(parsed: ParsedFile, imported: Node) -> str:
    """The module an imported name comes from (`''` when it is not imported)."""
    statement = ancestor(imported, "import_statement")
    source = statement.child_by_field_name("source") if statement is not None else None
    literal = string_literal(parsed, source)
    return literal.value if literal is not None else ""


def _binds(parsed: ParsedFile, pattern: Node, name: str) -> bool:
    if pattern.type in ("identifier", "shorthand_property_identifier_pattern"):
        return parsed.text_of(pattern) == name
    if pattern.type == "pair_pattern":
        value = pattern.child_by_field_name("value")
        return value is not None and _binds(parsed, value, name)
    if pattern.type in _PATTERNS:
        return any(_binds(parsed, child, name) for child in pattern.named_children)
    return False


def _parameter(parsed: ParsedFile, function: Node, name: str) -> Node | None:
    single = function.child_by_field_name("parameter")  # `x => …`
    if single is not None and parsed.text_of(single) == name:
        return single
    params = function.child_by_field_name("parameters")
    for param in params.named_children if params is not None else ():
        pattern = param.child_by_field_name("pattern")
        if pattern is not None and _binds(parsed, pattern, name):
            return param
    return None


def imported(parsed: ParsedFile, statement: Node, name: str) -> Node | None:
    """The identifier an import statement binds to `name` (`{ a as name }` binds `name`)."""
    clause = next((c for c in statement.named_children if c.type == "import_clause"), None)
    for node in descendants(clause, ("identifier",)) if clause is not None else ():
        if parsed.text_of(node) != name or node.parent is None:
            continue
        alias = node.parent.child_by_field_name("alias")
        if node.parent.type == "import_specifier" and alias not in (None, node):
            continue
        return node
    return None


def _declared(parsed: ParsedFile, statement: Node, name: str) -> Node | None:
    if statement.type == "export_statement":
        inner = statement.child_by_field_name("declaration")
        return _declared(parsed, inner, name) if inner is not None else None
    if statement.type in _VARIABLES:
        for declarator in statement.named_children:
            target = declarator.child_by_field_name("name")
            if target is not None and _binds(parsed, target, name):
                return declarator
    elif statement.type in DECLARATIONS:
        target = statement.child_by_field_name("name")
        if target is not None and parsed.text_of(target) == name:
            return statement
    elif statement.type == "import_statement":
        return imported(parsed, statement, name)
    return None


def binding(parsed: ParsedFile, name: str, at: Node) -> Node | None:
    """What declares `name` where `at` stands: a variable declarator, a parameter, an
    imported identifier, a function or class declaration; None for globals and the unseen."""
    node: Node | None = at
    while node is not None:
        if node.type in _FUNCTIONS:
            found = _parameter(parsed, node, name)
            if found is not None:
                return found
        if node.type in _SCOPES:
            for statement in node.named_children:
                found = _declared(parsed, statement, name)
                if found is not None:
                    return found
        node = node.parent
    return None


def type_binding(parsed: ParsedFile, name: str) -> Node | None:
    """A type name's top-level declaration (alias, interface, class) or import."""
    for statement in parsed.root.named_children:
        if statement.type == "export_statement":
            statement = statement.child_by_field_name("declaration") or statement
        if statement.type in _TYPES:
            target = statement.child_by_field_name("name")
            if target is not None and parsed.text_of(target) == name:
                return statement
        elif statement.type == "import_statement":
            found = imported(parsed, statement, name)
            if found is not None:
                return found
    return None
