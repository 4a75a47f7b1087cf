"""The parts statements share (names, columns, constraints, types, ALTER TABLE commands),
and the offsets: libpg_query counts bytes into a statement, the IR characters into the file."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lockstep.core.sql import ir

Json = dict[str, Any]
_DOT = "ASCII_46"
_KIND_NAMES = {"MATVIEW": "materialized view", "TABCONSTRAINT": "constraint",
               "DOMCONSTRAINT": "domain constraint"}
_CONSTRAINTS = {
    "CONSTR_NULL": "null", "CONSTR_NOTNULL": "not-null", "CONSTR_DEFAULT": "default",
    "CONSTR_IDENTITY": "identity", "CONSTR_GENERATED": "generated", "CONSTR_CHECK": "check",
    "CONSTR_PRIMARY": "primary-key", "CONSTR_UNIQUE": "unique",
    "CONSTR_EXCLUSION": "exclusion", "CONSTR_FOREIGN": "foreign-key",
}  # fmt: skip
_QUERY_LEAD = frozenset({"SELECT", "WITH", "RECURSIVE", "VALUES", "DISTINCT", "ALL", "ON",
                         "ASCII_40", "TABLE"})
_ROLES = {"ROLESPEC_PUBLIC": "public", "ROLESPEC_CURRENT_USER": "current_user",
          "ROLESPEC_SESSION_USER": "session_user", "ROLESPEC_CURRENT_ROLE": "current_role"}


@dataclass(frozen=True, slots=True)
class Token:
    """A scanner token (character offsets, end exclusive)."""

    start: int
    end: int
    name: str


def strings(values: Any) -> tuple[str, ...]:
    """The `sval`s of a list of String nodes (a `List` node is unwrapped)."""
    if isinstance(values, dict):
        values = values.get("List", {}).get("items", ())
    return tuple(v["String"].get("sval", "") for v in values or () if "String" in v)


class Builder:
    """Offsets and spans for one statement (a nested one inside DO gets the DO's span)."""

    def __init__(self, text: str, base: int, end: int, tokens: Sequence[Token],
                 offsets: Callable[[int], int], nested: bool = False) -> None:
        self.text = text  # the whole file
        self.base = base  # the statement's first character in the file
        self.offsets = offsets  # bytes into the statement → characters into it
        self.tokens = tokens  # relative to `base`
        self.whole = ir.Span(base, end)
        self.nested = nested
        self._starts: dict[int, int] | None = None

    # -- spans ------------------------------------------------------------------------
    def _token_at(self, relative: int) -> int | None:
        if self._starts is None:
            self._starts = {t.start: i for i, t in enumerate(self.tokens)}
        return self._starts.get(relative)

    def span_at(self, location: int | None) -> ir.Span:
        """The token at a libpg_query location (the whole statement when unknown)."""
        if location is None or location < 0 or self.nested:
            return self.whole
        relative = self.offsets(location)
        index = self._token_at(relative)
        if index is None:
            return ir.Span(self.base + relative, self.base + relative)
        token = self.tokens[index]
        return ir.Span(self.base + token.start, self.base + token.end)

    def name_span(self, location: int | None) -> ir.Span:
        """The last identifier of a dotted name starting at `location`."""
        first = self.span_at(location)
        if first == self.whole or first.start == first.end:
            return first
        index = self._token_at(first.start - self.base)
        assert index is not None
        while index + 2 < len(self.tokens) and self.tokens[index + 1].name == _DOT:
            index += 2
        token = self.tokens[index]
        return ir.Span(self.base + token.start, self.base + token.end)

    def find(self, name: str) -> ir.Span:
        """The first token spelling `name`, for names libpg_query gives no location."""
        if self.nested:
            return self.whole
        for token in self.tokens:
            spelled = self.text[self.base + token.start : self.base + token.end]
            if spelled.strip('"') == name or spelled.lower() == name:
                return ir.Span(self.base + token.start, self.base + token.end)
        return self.whole

    def expr(self, node: Json) -> ir.Expr:
        return ir.Expr(node, None, self.offsets, self)

    def expr_span(self, node: Json) -> ir.Span:
        locations = [loc for loc in _locations(node) if loc >= 0]
        if not locations or self.nested:
            return self.whole
        start = self.span_at(min(locations)).start
        if "SelectStmt" in node:  # a query has no location: back over SELECT, WITH, VALUES …
            index = self._token_at(start - self.base)
            while index and self.tokens[index - 1].name in _QUERY_LEAD:
                index -= 1
            start = self.base + self.tokens[index or 0].start if index is not None else start
        last = self._token_at(self.span_at(max(locations)).start - self.base)
        end = self.span_at(max(locations)).end
        if last is not None:
            depth = sum(1 if t.name == "ASCII_40" else -1 if t.name == "ASCII_41" else 0
                        for t in self.tokens[: last + 1] if t.start >= start - self.base)
            index = last
            while depth > 0 and index + 1 < len(self.tokens):
                index += 1
                depth += {"ASCII_40": 1, "ASCII_41": -1}.get(self.tokens[index].name, 0)
            end = self.base + self.tokens[index].end
        return ir.Span(start, end)

    # -- names --------------------------------------------------------------------------
    def name(self, rangevar: Json) -> ir.Name:
        return ir.Name(rangevar.get("schemaname"), rangevar.get("relname", ""),
                       self.name_span(rangevar.get("location")))

    def dotted(self, parts: Sequence[str]) -> ir.Name:
        if not parts:
            return ir.Name(None, "", self.whole)
        return ir.Name(parts[-2] if len(parts) > 1 else None, parts[-1], self.find(parts[-1]))

    def object_parts(self, item: Any) -> tuple[str, ...]:
        """The dotted name of a DROP/COMMENT/GRANT object, whatever node spells it."""
        if not isinstance(item, dict):
            return ()
        if "List" in item:
            return strings(item)
        if "String" in item:
            return (item["String"].get("sval", ""),)
        if "TypeName" in item:
            return strings(item["TypeName"].get("names"))
        if "ObjectWithArgs" in item:
            return strings(item["ObjectWithArgs"].get("objname"))
        if "RangeVar" in item:
            relation = item["RangeVar"]
            schema = relation.get("schemaname")
            return (schema, relation.get("relname", "")) if schema else (relation["relname"],)
        return ()

    @staticmethod
    def object_kind(value: str | None) -> str:
        raw = (value or "OBJECT_TABLE").removeprefix("OBJECT_")
        return _KIND_NAMES.get(raw, raw.lower().replace("_", " "))

    @staticmethod
    def roles(specs: Any) -> tuple[str, ...]:
        names = []
        for spec in specs or ():
            role = spec.get("RoleSpec", {})
            kind = role.get("roletype", "ROLESPEC_CSTRING")
            names.append(role.get("rolename", "") if kind == "ROLESPEC_CSTRING"
                         else _ROLES.get(kind, kind))
        return tuple(names)

    # -- values -------------------------------------------------------------------------
    @staticmethod
    def string(value: Any) -> str | None:
        if isinstance(value, dict):
            inner = value.get("String", value)
            sval = inner.get("sval") if isinstance(inner, dict) else None
            return sval if isinstance(sval, str) else ("" if inner == {} else None)
        return value if isinstance(value, str) else None

    def options(self, elements: Any) -> tuple[tuple[str, str | None], ...]:
        result = []
        for element in elements or ():
            option = element.get("DefElem", {})
            result.append((option.get("defname", ""), _scalar(option.get("arg"))))
        return tuple(result)

    @staticmethod
    def scalar(value: Any) -> str | None:
        return _scalar(value)

    @staticmethod
    def set_values(variable: Json) -> list[str]:
        return [v for v in (_scalar(a) for a in variable.get("args", ())) if v is not None]

    @staticmethod
    def search_path(values: list[str]) -> tuple[str, ...]:
        """As PostgreSQL reads it: comma-separated, quotes stripped, `$user` skipped."""
        parts = [p.strip().strip('"') for value in values for p in value.split(",")]
        return tuple(p for p in parts if p and p != "$user") or ("public",)

    # -- tables ---------------------------------------------------------------------------
    def type_ref(self, node: Json) -> ir.TypeRef:
        bounds = tuple(b.get("Integer", {}).get("ival", 0) for b in node.get("arrayBounds", ()))
        return ir.TypeRef(strings(node.get("names")),
                          tuple(self.expr(m) for m in node.get("typmods", ())), bounds,
                          bool(node.get("setof")), bool(node.get("pct_type")),
                          self.span_at(node.get("location")))

    def column(self, node: Json) -> ir.Column:
        type_name = node.get("typeName")
        constraints = [self.constraint(c["Constraint"]) for c in node.get("constraints", ())]
        if node.get("raw_default"):
            constraints.append(ir.Constraint("default", self.whole,
                                             expr=self.expr(node["raw_default"])))
        span = self.span_at(node.get("location"))
        return ir.Column(node.get("colname", ""), span,
                         self.type_ref(type_name) if type_name else None, tuple(constraints),
                         span)

    def constraint(self, node: Json) -> ir.Constraint:
        contype = node.get("contype", "")
        kind = _CONSTRAINTS.get(contype, contype.removeprefix("CONSTR_").lower()
                                .replace("_", "-"))
        expr = node.get("raw_expr")
        pktable = node.get("pktable")
        return ir.Constraint(
            kind, self.span_at(node.get("location")), node.get("conname"),
            strings(node.get("fk_attrs") or node.get("keys")),
            self.name(pktable) if pktable else None,
            self.span_at(pktable.get("location")) if pktable else ir.NO_SPAN,
            strings(node.get("pk_attrs")),
            node.get("fk_del_action", "a") if self._says(node, "DELETE") else None,
            node.get("fk_upd_action", "a") if self._says(node, "UPDATE") else None,
            self.expr(expr) if expr else None, bool(node.get("skip_validation")),
            bool(node.get("deferrable")), node.get("indexname"), strings(node.get("including")),
            bool(node.get("nulls_not_distinct")), node.get("generated_when") == "a")

    def _says(self, constraint: Json, word: str) -> bool:
        """Whether a foreign key's clause says ON <word> (NO ACTION is also the default)."""
        if constraint.get("contype") != "CONSTR_FOREIGN":
            return False
        action = constraint.get("fk_del_action" if word == "DELETE" else "fk_upd_action", "a")
        if action != "a":
            return True
        location = constraint.get("location")
        if location is None:
            return False
        relative = self.offsets(location)
        spelled = [self.text[self.base + t.start : self.base + t.end].upper()
                   for t in clause_tokens(self.tokens, relative)]
        return any(spelled[i : i + 2] == ["ON", word] for i in range(len(spelled) - 1))

    def alter_command(self, node: Json) -> ir.AlterCommand:
        op = node.get("subtype", "").removeprefix("AT_")
        definition = node.get("def") or {}
        column = constraint = type_ref = expr = None
        options: tuple[tuple[str, str | None], ...] = ()
        span = self.whole
        if "ColumnDef" in definition:
            inner = definition["ColumnDef"]
            column = self.column(inner)
            span = column.span
            if inner.get("typeName") is not None:
                type_ref = column.type
            if inner.get("raw_default"):
                expr = self.expr(inner["raw_default"])
        elif "Constraint" in definition:
            constraint = self.constraint(definition["Constraint"])
            span = constraint.span
        elif "List" in definition:
            options = self.options(definition["List"].get("items"))
        elif definition:
            expr = self.expr(definition)
        return ir.AlterCommand(op, span, node.get("name"), column if op == "AddColumn" else None,
                               constraint, type_ref, expr, bool(node.get("missing_ok")),
                               node.get("behavior") == "DROP_CASCADE", options)


def clause_tokens(tokens: Sequence[Token], relative: int) -> list[Token]:
    """Tokens from `relative` to the end of its clause (a top-level comma or closing paren)."""
    depth = 0
    kept: list[Token] = []
    for token in tokens:
        if token.start < relative:
            continue
        if token.name == "ASCII_40":
            depth += 1
        elif token.name == "ASCII_41":
            depth -= 1
            if depth < 0:
                break
        elif token.name == "ASCII_44" and depth == 0:
            break
        kept.append(token)
    return kept


def _scalar(value: Any) -> str | None:
    """A DefElem argument or A_Const as text: strings, numbers, booleans, type names."""
    if not isinstance(value, dict) or not value:
        return None
    ((kind, inner),) = value.items()
    if kind == "A_Const":
        for key, field in (("sval", "sval"), ("ival", "ival"), ("fval", "fval"),
                           ("boolval", "boolval")):
            if key in inner:
                raw = inner[key].get(field, 0 if key == "ival" else False)
                return ("true" if raw else "false") if key == "boolval" else str(raw)
        return None
    if kind == "String":
        return str(inner.get("sval", ""))
    if kind == "Integer":
        return str(inner.get("ival", 0))
    if kind == "Float":
        return str(inner.get("fval", "0"))
    if kind == "Boolean":
        return "true" if inner.get("boolval") else "false"
    if kind == "TypeName":
        return ".".join(strings(inner.get("names")))
    return None


def _locations(value: Any) -> Iterator[int]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "location" and isinstance(item, int):
                yield item
            elif isinstance(item, (dict, list)):
                yield from _locations(item)
    elif isinstance(value, list):
        for item in value:
            yield from _locations(item)
