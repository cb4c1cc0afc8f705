"""A small expression language with two meanings: an Excel formula and a Python value.

One rule, one place. Every computed figure and every check of the form is written once,
as an expression tree. `xl()` renders it as the formula text the workbook carries;
`ev()` evaluates it in Python with the semantics the spreadsheet has: blanks count as
0 or "", text compares without case and sorts after numbers, `SUM` skips text, `N()`
makes text 0. The workbook and the checker therefore cannot disagree about a figure
or a verdict: both are the same tree. `ev()` works on the raw cell values, exactly what
a spreadsheet sees, so it also tells the stale cached values apart from the right ones.

Only the functions below are used, all present in Excel 2010 and LibreOffice alike,
and none whose result depends on the spreadsheet's language or locale: numbers are
turned into text by `Kr` (digit groups with a no-break space, built from INT, MOD and
TEXT with a "000" mask) or by `Text` (whole numbers only), never by TEXT with a locale
mask or by a decimal number joined to text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol, Union

Value = Union[None, int, float, Decimal, str, bool, "XlError"]

NBSP = "\u00a0"

# ---------------------------------------------------------------- contexts


class Env(Protocol):
    """What `ev` reads: raw input values by path, and other formulas' values by key."""

    def input(self, path: str) -> Value: ...
    def slot(self, key: str) -> Value: ...


class Refs(Protocol):
    """What `xl` asks: the reference of an input or formula cell, seen from the sheet being written."""

    def input_ref(self, path: str) -> str: ...
    def slot_ref(self, key: str) -> str: ...
    def range_ref(self, refs: Sequence[Expr]) -> str | None: ...
    def runs(self, refs: Sequence[Expr]) -> list[str]: ...


@dataclass(frozen=True)
class XlError:
    """An error value such as #VALUE!: it spreads through everything that uses it."""

    code: str

    def __str__(self) -> str:
        return self.code


VALUE_ERROR = XlError("#VALUE!")

# ---------------------------------------------------------------- nodes


class Expr:
    precedence = 100  # atoms and function calls never need parentheses

    def xl(self, r: Refs) -> str:
        raise NotImplementedError

    def ev(self, env: Env) -> Value:
        raise NotImplementedError

    # -- operators build trees; comparisons are methods so == keeps its Python meaning
    def __add__(self, other: Operand) -> Expr:
        return Arith("+", self, lit(other))

    def __sub__(self, other: Operand) -> Expr:
        return Arith("-", self, lit(other))

    def __mul__(self, other: Operand) -> Expr:
        return Arith("*", self, lit(other))

    def eq(self, other: Operand) -> Expr:
        return Cmp("=", self, lit(other))

    def ne(self, other: Operand) -> Expr:
        return Cmp("<>", self, lit(other))

    def lt(self, other: Operand) -> Expr:
        return Cmp("<", self, lit(other))

    def le(self, other: Operand) -> Expr:
        return Cmp("<=", self, lit(other))

    def gt(self, other: Operand) -> Expr:
        return Cmp(">", self, lit(other))

    def ge(self, other: Operand) -> Expr:
        return Cmp(">=", self, lit(other))


Operand = Union[Expr, int, float, Decimal, str, bool]


def lit(value: Operand) -> Expr:
    return value if isinstance(value, Expr) else Lit(value)


@dataclass(frozen=True)
class Lit(Expr):
    value: int | float | Decimal | str | bool

    def xl(self, r: Refs) -> str:
        v = self.value
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, str):
            return '"' + v.replace('"', '""') + '"'
        if isinstance(v, Decimal):
            text = format(v.normalize(), "f")
            return text
        return repr(v) if isinstance(v, float) else str(v)

    def ev(self, env: Env) -> Value:
        return self.value


@dataclass(frozen=True)
class Input(Expr):
    """An input cell, read as the spreadsheet sees it (text stays text)."""

    path: str

    def xl(self, r: Refs) -> str:
        return r.input_ref(self.path)

    def ev(self, env: Env) -> Value:
        return env.input(self.path)


@dataclass(frozen=True)
class Slot(Expr):
    """Another formula cell of the form."""

    key: str

    def xl(self, r: Refs) -> str:
        return r.slot_ref(self.key)

    def ev(self, env: Env) -> Value:
        return env.slot(self.key)


@dataclass(frozen=True)
class Func(Expr):
    """A spreadsheet function with its Python meaning."""

    name: str
    args: tuple[Expr, ...]
    fn: Callable[..., Value]

    def xl(self, r: Refs) -> str:
        return f"{self.name}({','.join(a.xl(r) for a in self.args)})"

    def ev(self, env: Env) -> Value:
        return self.fn(*(a.ev(env) for a in self.args))

    def __hash__(self) -> int:
        return hash((self.name, self.args))


@dataclass(frozen=True, eq=False)
class If(Func):
    """IF evaluates the branch it takes and only that one, as a spreadsheet does (and much faster)."""

    def ev(self, env: Env) -> Value:
        cond = self.args[0].ev(env)
        if isinstance(cond, XlError) or isinstance(cond, str):
            return self.fn(cond, None, None)
        return self.args[1 if truthy(cond) else 2].ev(env)


@dataclass(frozen=True, eq=False)
class Shortcut(Func):
    """A formula written as it stands and evaluated by `quick`, where `quick` knows the value.

    Some tests run for every cell of a form, and walking their trees was most of a check's
    time. `quick(env)` gives the value in plain Python, or NotImplemented where only the
    written formula can tell (an error, an infinity): the tree is then walked term by term.
    A property test holds each shortcut equal to the formula it writes.
    """

    quick: Callable[[Env], Any]

    def ev(self, env: Env) -> Value:
        value = self.quick(env)
        return super().ev(env) if value is NotImplemented else value


def shortcut(written: Expr, quick: Callable[[Env], Any]) -> Expr:
    """`written`, evaluated by `quick` where it can (see Shortcut)."""
    assert isinstance(written, Func)
    return Shortcut(written.name, written.args, written.fn, quick)


@dataclass(frozen=True)
class Arith(Expr):
    op: str
    a: Expr
    b: Expr

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return 20 if self.op in "*/" else 10

    def xl(self, r: Refs) -> str:
        left = _paren(self.a, self.precedence, r)
        right = _paren(self.b, self.precedence + (1 if self.op in "-/" else 0), r)
        return f"{left}{self.op}{right}"

    def ev(self, env: Env) -> Value:
        a, b = number(self.a.ev(env)), number(self.b.ev(env))
        if isinstance(a, XlError):
            return a
        if isinstance(b, XlError):
            return b
        if self.op == "+":
            return a + b  # type: ignore[operator]
        if self.op == "-":
            return a - b  # type: ignore[operator]
        if self.op == "/":
            return _div(a, b)
        return _mul(a, b)


@dataclass(frozen=True)
class Cmp(Expr):
    op: str
    a: Expr
    b: Expr
    precedence = 5

    def xl(self, r: Refs) -> str:
        return f"{_paren(self.a, 6, r)}{self.op}{_paren(self.b, 6, r)}"

    def ev(self, env: Env) -> Value:
        a, b = self.a.ev(env), self.b.ev(env)
        if isinstance(a, XlError):
            return a
        if isinstance(b, XlError):
            return b
        order = compare(a, b)
        return {"=": order == 0, "<>": order != 0, "<": order < 0, "<=": order <= 0,
                ">": order > 0, ">=": order >= 0}[self.op]


@dataclass(frozen=True)
class Concat(Expr):
    parts: tuple[Expr, ...]
    precedence = 8

    def xl(self, r: Refs) -> str:
        return "&".join(_paren(p, 9, r) for p in self.parts)

    def ev(self, env: Env) -> Value:
        out = []
        for p in self.parts:
            v = p.ev(env)
            if isinstance(v, XlError):
                return v
            out.append(text_of(v))
        return "".join(out)


@dataclass(frozen=True)
class SumOf(Expr):
    """SUM over cells: a range where they are contiguous, else a list. Text and logicals are skipped."""

    cells: tuple[Expr, ...]

    def xl(self, r: Refs) -> str:
        return f"SUM({','.join(r.runs(self.cells))})"

    def ev(self, env: Env) -> Value:
        total: int | float | Decimal = 0
        for c in self.cells:
            v = c.ev(env)
            if isinstance(v, XlError):
                return v
            if _is_number(v):
                total += v  # type: ignore[operator]
        return total


@dataclass(frozen=True)
class MaxOf(Expr):
    cells: tuple[Expr, ...]

    def xl(self, r: Refs) -> str:
        return f"MAX({','.join(r.runs(self.cells))})"

    def ev(self, env: Env) -> Value:
        values = [c.ev(env) for c in self.cells]
        for v in values:
            if isinstance(v, XlError):
                return v
        numbers = [v for v in values if _is_number(v)]
        return max(numbers) if numbers else 0  # type: ignore[type-var]


@dataclass(frozen=True)
class SumIfEq(Expr):
    """The sum of `values` in the rows where `keys` equals `label`: SUMPRODUCT((keys=label)*values)."""

    keys: tuple[Expr, ...]
    label: Expr
    values: tuple[Expr, ...]

    def xl(self, r: Refs) -> str:
        keys = r.range_ref(self.keys)
        values = r.range_ref(self.values)
        if keys is None or values is None:
            raise ValueError("SumIfEq needs two contiguous ranges")
        return f"SUMPRODUCT(({keys}={self.label.xl(r)})*{values})"

    def ev(self, env: Env) -> Value:
        label = self.label.ev(env)
        total: int | float | Decimal = 0
        for k, v in zip(self.keys, self.values, strict=True):
            key, value = k.ev(env), number(v.ev(env))
            if isinstance(value, XlError):
                return value
            if not isinstance(key, XlError) and compare(key, label) == 0:
                total += value  # type: ignore[operator]
        return total


# ---------------------------------------------------------------- builders


def N(e: Expr) -> Expr:
    return Func("N", (e,), _n)


def IF(cond: Expr, yes: Operand, no: Operand) -> Expr:
    return If("IF", (cond, lit(yes), lit(no)), _if)


def AND(*args: Expr) -> Expr:
    return args[0] if len(args) == 1 else Func("AND", args, _and)


def OR(*args: Expr) -> Expr:
    return args[0] if len(args) == 1 else Func("OR", args, _or)


def NOT(e: Expr) -> Expr:
    return Func("NOT", (e,), lambda v: v if isinstance(v, XlError) else not truthy(v))


def ROUND(e: Expr) -> Expr:
    return Func("ROUND", (e, Lit(0)), _round)


def ISTEXT(e: Expr) -> Expr:
    return Func("ISTEXT", (e,), lambda v: isinstance(v, str))


def LEN(e: Expr) -> Expr:
    return Func("LEN", (e,), lambda v: v if isinstance(v, XlError) else len(text_of(v)))


def LEFT(e: Expr, n: int) -> Expr:
    return Func("LEFT", (e, Lit(n)), lambda v, k: v if isinstance(v, XlError) else text_of(v)[: int(k)])


def MID(e: Expr, start: int, length: int) -> Expr:
    return Func("MID", (e, Lit(start), Lit(length)),
                lambda v, a, n: v if isinstance(v, XlError) else text_of(v)[int(a) - 1 : int(a) - 1 + int(n)])


def TRIM(e: Expr) -> Expr:
    return Func("TRIM", (e,), lambda v: v if isinstance(v, XlError) else trim(text_of(v)))


def concat(*parts: Operand) -> Expr:
    flat: list[Expr] = []
    for p in parts:
        e = lit(p)
        flat += list(e.parts) if isinstance(e, Concat) else [e]
    return Concat(tuple(flat))


def contains(e: Expr, word: str) -> Expr:
    """The text holds `word`, without regard to case (SEARCH; `word` must hold no wildcard)."""
    if any(ch in word for ch in "*?~"):
        raise ValueError(f"a search word cannot hold wildcards: {word!r}")
    return Func("ISNUMBER", (Func("SEARCH", (Lit(word), e), _search),), lambda v: _is_number(v))


def text(e: Expr) -> Expr:
    """A value as the text a spreadsheet joins: e&"" (whole numbers only, no locale in play)."""
    return concat(e, "")


def blankish(e: Expr, placeholders: Sequence[str]) -> Expr:
    """Empty, only spaces, or a Word placeholder left unanswered."""
    variants: list[str] = []
    for p in placeholders:
        for v in (p, p.rstrip(".")):
            if v not in variants:
                variants.append(v)
    trimmed = TRIM(e)
    folded = frozenset(v.casefold() for v in ["", *variants])

    def quick(env: Env) -> Value:  # one TRIM and a set lookup: `=` between texts ignores case
        v = e.ev(env)
        return v if isinstance(v, XlError) else trim(text_of(v)).casefold() in folded

    return shortcut(OR(trimmed.eq(""), *(trimmed.eq(v) for v in variants)), quick)


def kr(e: Expr) -> Expr:
    """A whole number with digit groups, «1 556 519», from INT/MOD/TEXT(…,"000"): no locale involved."""
    a = Func("ABS", (e,), _abs)
    i = Func("INT", (a,), _int)

    def group(div: int) -> Expr:
        inner = Func("INT", (Arith("/", a, Lit(div)),), _int) if div > 1 else i
        return Func("TEXT", (Func("MOD", (inner, Lit(1000)), _mod), Lit("000")), _text000)

    def lead(div: int) -> Expr:
        return Func("INT", (Arith("/", a, Lit(div)),), _int)

    sep = Lit(NBSP)
    below_million = concat(lead(1000), sep, group(1))
    below_billion = concat(lead(10**6), sep, group(1000), sep, group(1))
    rest = concat(lead(10**9), sep, group(10**6), sep, group(1000), sep, group(1))
    body = IF(a.lt(1000), concat(i, ""), IF(a.lt(10**6), below_million, IF(a.lt(10**9), below_billion, rest)))
    return concat(IF(e.lt(0), "-", ""), body)


# ---------------------------------------------------------------- spreadsheet semantics


def number(v: Value) -> int | float | Decimal | XlError:
    """A value in arithmetic: blank 0, TRUE 1; text is an error (callers use N() for inputs)."""
    if v is None:
        return 0
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, XlError):
        return v
    if isinstance(v, str):
        return VALUE_ERROR
    return v


def truthy(v: Value) -> bool:
    if isinstance(v, bool):
        return v
    if v is None:
        return False
    if _is_number(v):
        return v != 0
    return False


def text_of(v: Value) -> str:
    """A value joined with &: whole numbers as digits, blank as ""."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, str):
        return v
    if isinstance(v, XlError):
        return v.code
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return str(v)


def trim(s: str) -> str:
    """Spreadsheet TRIM: only the space character, leading, trailing and runs inside."""
    return " ".join(part for part in s.split(" ") if part)


def compare(a: Value, b: Value) -> int:
    """Excel's order: numbers < text < logicals; text without case; a blank is 0, "" or FALSE."""
    if a is None and b is None:
        return 0
    if a is None:
        a = _blank_like(b)
    if b is None:
        b = _blank_like(a)
    ra, rb = _rank(a), _rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    x: Any = str(a).casefold() if ra == 1 else a
    y: Any = str(b).casefold() if ra == 1 else b
    return int(x > y) - int(x < y)


def _blank_like(other: Value) -> Value:
    if isinstance(other, bool):
        return False
    if isinstance(other, str):
        return ""
    return 0


def _rank(v: Value) -> int:
    if isinstance(v, bool):
        return 2
    if isinstance(v, str):
        return 1
    return 0


def _is_number(v: Value) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _paren(e: Expr, need: int, r: Refs) -> str:
    text = e.xl(r)
    return f"({text})" if e.precedence < need else text


def _mul(a: int | float | Decimal, b: int | float | Decimal) -> int | float | Decimal:
    # Shares are Decimal: keep the product exact, as the spreadsheet's ROUND sees it.
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(str(a)) * Decimal(str(b))
    return a * b


def _div(a: int | float | Decimal, b: int | float | Decimal) -> Value:
    if b == 0:
        return XlError("#DIV/0!")
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(str(a)) / Decimal(str(b))
    return a / b


def _n(v: Value) -> Value:
    if isinstance(v, XlError):
        return v
    if isinstance(v, bool):
        return int(v)
    return v if _is_number(v) else 0


def _if(cond: Value, yes: Value, no: Value) -> Value:
    if isinstance(cond, XlError):
        return cond
    if isinstance(cond, str):
        return VALUE_ERROR
    return yes if truthy(cond) else no


def _and(*args: Value) -> Value:
    for a in args:
        if isinstance(a, XlError):
            return a
    return all(truthy(a) for a in args)


def _or(*args: Value) -> Value:
    for a in args:
        if isinstance(a, XlError):
            return a
    return any(truthy(a) for a in args)


def _finite(v: Value) -> int | float | Decimal | XlError:
    n = number(v)
    if (isinstance(n, float) and not math.isfinite(n)) or (isinstance(n, Decimal) and not n.is_finite()):
        return XlError("#NUM!")
    return n


def _round(v: Value, digits: Value) -> Value:
    n = _finite(v)
    if isinstance(n, XlError):
        return n
    d = Decimal(str(n))
    if abs(d) >= 10**15:
        return int(d)  # beyond 15 digits a spreadsheet's number has no fraction left to round
    return int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _abs(v: Value) -> Value:
    n = _finite(v)
    if isinstance(n, XlError):
        return n
    return -n if n < 0 else n


def _int(v: Value) -> Value:
    n = _finite(v)
    if isinstance(n, XlError):
        return n
    return math.floor(n)


def _mod(v: Value, d: Value) -> Value:
    n, m = _finite(v), _finite(d)
    if isinstance(n, XlError):
        return n
    if isinstance(m, XlError):
        return m
    return n % m  # type: ignore[operator]


def _text000(v: Value, mask: Value) -> Value:
    if isinstance(v, XlError):
        return v
    return f"{int(v):03d}"  # type: ignore[arg-type]


def _search(word: Value, within: Value) -> Value:
    if isinstance(within, XlError):
        return within
    pos = text_of(within).casefold().find(str(word).casefold())
    return VALUE_ERROR if pos < 0 else pos + 1
