"""Whitelist parser: a student's ``sympy.sstr`` string -> a sympy expression, without eval.

The string comes from an untrusted process, so it is read with ``ast.parse`` and
rebuilt node by node from a closed set of constructors. Nothing is ever passed to
eval, sympify, parse_expr or lambdify. Besides the node kinds, the parser bounds
the work a later evaluation can cause: exponents are small constants, sums have
short concrete ranges, and an estimate of the size (in bits) of the value at
evaluation time must stay under a budget, so nested powers cannot explode.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import sympy

from source_lib.judge.spec import SUPPORTED_FUNCTIONS, Symbols

MAX_INT_DIGITS = 50          # integer literals
MAX_DECIMAL_DIGITS = 40      # significant digits of a float literal
MAX_DECIMAL_EXPONENT = 100   # |e| in 1.5e-20
MAX_SUM_TERMS = 100          # terms of one Sum at the largest size value
MAX_SUM_LIMIT = 1000         # |lower|, |upper| of a Sum
MAX_BITS = 12_000            # estimated bits of the evaluated value (Python prints ints < 4300 digits)
MAX_EXP_ARG_BITS = 4_000     # exp/log of huge arguments is slow even in floats
MAX_DERIVATIVE_ORDER = 4
VAR_BITS = 10                # sample values are small fractions (see symbolic.py)

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_STRUCTURE = frozenset({"Sum", "Derivative", "Subs", "Rational", "Integer", "Float"})  # always allowed
_FUNCTIONS = _STRUCTURE | SUPPORTED_FUNCTIONS  # the declaration picks among SUPPORTED_FUNCTIONS
_EXPONENTIAL = frozenset({"exp", "sinh", "cosh", "tanh", "sech"})  # never nested: their evaluation can hang
_BOUNDED = frozenset({"tanh", "sech"})  # values within [-1, 1]: an exponential of them cannot grow
_MATH: dict[str, Callable[..., Any]] = {
    "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "Abs": sympy.Abs, "sign": sympy.sign,
    "KroneckerDelta": sympy.KroneckerDelta, "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "sech": sympy.sech}
_CONSTANTS = {"E": sympy.E, "pi": sympy.pi}
_SPECIAL = {"oo": "infinity (oo)", "zoo": "complex infinity (zoo, usually a division by zero)",
            "nan": "an undefined value (nan)", "I": "the imaginary unit I",
            "True": "True", "False": "False", "None": "None"}
_BAD_VALUES = (sympy.S.ComplexInfinity, sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity)
_NODE_WORDS = {ast.Attribute: "attribute access (a dot, as in x.y)", ast.Lambda: "lambda",
               ast.Compare: "comparisons", ast.BoolOp: "and/or", ast.IfExp: "if/else",
               ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions",
               ast.SetComp: "comprehensions", ast.DictComp: "comprehensions", ast.List: "lists",
               ast.Dict: "dictionaries", ast.Set: "sets", ast.JoinedStr: "strings",
               ast.Starred: "starred arguments", ast.NamedExpr: "assignments"}


@dataclass(frozen=True)
class ParseFailure:
    """Why a string is not accepted; student-facing, no traceback."""

    message: str


@dataclass(frozen=True)
class Parsed:
    """A parsed answer, with what the comparison needs to know about it."""

    expr: sympy.Expr
    had_floats: bool             # decimals were converted exactly; compare with a tolerance
    unknown: tuple[str, ...]     # names the problem does not declare (plain real symbols)


class _Reject(Exception):
    """Raised inside the tree walk; becomes a ParseFailure."""


@dataclass(frozen=True)
class _Val:
    expr: sympy.Expr
    bits: int                    # estimated size of the value once evaluated
    has_exp: bool = False        # exp, sinh or cosh inside an exponential function is refused (it hangs)


def canonical_symbols(symbols: Symbols) -> dict[str, sympy.Basic]:
    """The notebook's declarations: reals real, size positive integer, index integer, data IndexedBase."""
    table: dict[str, sympy.Basic] = {name: sympy.Symbol(name, real=True) for name in symbols.reals}
    if symbols.size:
        table[symbols.size] = sympy.Symbol(symbols.size, integer=True, positive=True)
    if symbols.index:
        table[symbols.index] = sympy.Symbol(symbols.index, integer=True)
    table.update({name: sympy.IndexedBase(name) for name in symbols.indexed})
    return table


def parse(src: str, symbols: Symbols, *, max_chars: int = 5000, max_nodes: int = 3000,
          max_depth: int = 60, max_exponent: int = 64) -> sympy.Expr | ParseFailure:
    """Parse ``src``; return the expression or a ParseFailure (see ``parse_answer``)."""
    result = parse_answer(src, symbols, max_chars=max_chars, max_nodes=max_nodes,
                          max_depth=max_depth, max_exponent=max_exponent)
    return result if isinstance(result, ParseFailure) else result.expr


def parse_answer(src: str | None, symbols: Symbols, *, max_chars: int = 5000, max_nodes: int = 3000,
                 max_depth: int = 60, max_exponent: int = 64) -> Parsed | ParseFailure:
    """Parse ``src`` into a Parsed answer, or say why not. Never raises, never evaluates code."""
    if not isinstance(src, str):
        return ParseFailure("Your answer is not a sympy expression that can be printed and read back.")
    if len(src) > max_chars:
        return ParseFailure(f"Your expression is too long ({len(src)} characters, at most "
                            f"{max_chars}). Simplify it before submitting.")
    src = src.strip()
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError as exc:
        return ParseFailure(f"Your expression is not valid syntax ({exc.msg}).")
    except (RecursionError, MemoryError, ValueError):
        return ParseFailure("Your expression is nested too deeply or is too large to read.")
    try:
        nodes = sum(1 for _ in ast.walk(tree))
        if nodes > max_nodes:
            return ParseFailure(f"Your expression is too large ({nodes} parts, at most {max_nodes}).")
        builder = _Builder(symbols, tree, src, max_depth, max_exponent)
        val = builder.build(tree.body, 0)
        return builder.finish(val)
    except _Reject as exc:
        return ParseFailure(str(exc))
    except RecursionError:
        return ParseFailure("Your expression is nested too deeply.")
    except Exception as exc:  # noqa: BLE001 - a parse must never crash the judge
        return ParseFailure(f"Your expression could not be read ({type(exc).__name__}).")


class _Builder:
    """One tree walk: AST node -> _Val, rejecting anything off the whitelist."""

    def __init__(self, symbols: Symbols, tree: ast.AST, source: str, max_depth: int,
                 max_exponent: int) -> None:
        self.symbols = symbols
        self.source = source
        self.table = canonical_symbols(symbols)
        self.size_symbol = self.table.get(symbols.size)
        self.max_size = max(symbols.sizes)
        self.max_depth = max_depth
        self.max_exponent = max_exponent
        self.had_floats = False
        self.unknown: set[str] = set()
        self.bound = _bound_names(tree)  # names used as Sum indices become integer symbols
        self.calls: dict[str, Callable[[ast.Call, int], _Val]] = {
            "Sum": self._sum, "Derivative": self._derivative, "Subs": self._subs,
            "Rational": self._exact, "Integer": self._exact, "Float": self._float_call,
            **{name: self._function for name in SUPPORTED_FUNCTIONS & set(symbols.functions)},
        }

    def finish(self, val: _Val) -> Parsed:
        expr = val.expr
        if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.IndexedBase):
            raise _Reject("Your answer is not a single mathematical expression.")
        if expr.has(*_BAD_VALUES):
            raise _Reject("Your expression contains a division by zero or an infinite value.")
        used = {s.name for s in expr.free_symbols if isinstance(s, sympy.Symbol)}
        return Parsed(expr, self.had_floats, tuple(sorted(self.unknown & used)))

    def build(self, node: ast.AST, depth: int) -> _Val:
        if depth > self.max_depth:
            raise _Reject(f"Your expression is nested too deeply (more than {self.max_depth} levels).")
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.BinOp):
            return self._binop(node, depth)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            val = self.build(node.operand, depth + 1)
            return val if isinstance(node.op, ast.UAdd) else _Val(-val.expr, val.bits, val.has_exp)
        if isinstance(node, ast.UnaryOp):
            raise _Reject("Only + and - may stand before a term (no 'not' or '~').")
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, ast.Tuple):
            raise _Reject("A tuple such as (a, b) is only allowed as the limits of a Sum.")
        word = next((w for t, w in _NODE_WORDS.items() if isinstance(node, t)), type(node).__name__)
        raise _Reject(f"Your expression uses {word}, which is not allowed in an answer.")

    def _checked(self, expr: sympy.Expr, bits: int, has_exp: bool = False) -> _Val:
        if bits > MAX_BITS:
            raise _Reject("Your expression is too large to evaluate (its powers or sums are too big).")
        return _Val(expr, bits, has_exp)

    def _constant(self, node: ast.Constant) -> _Val:
        value = node.value
        if isinstance(value, bool) or value is None:
            raise _Reject(f"{value} is not a number.")
        if isinstance(value, int):
            if len(str(abs(value))) > MAX_INT_DIGITS:
                raise _Reject(f"A whole number has more than {MAX_INT_DIGITS} digits.")
            return _Val(sympy.Integer(value), _bits(value))
        if isinstance(value, float):
            text = ast.get_source_segment(self.source, node)
            return self._decimal(text if text is not None else repr(value))
        if isinstance(value, complex):
            raise _Reject("Complex numbers (like 1j) are not allowed.")
        raise _Reject("Strings are not allowed in an answer (except in Float('0.5')).")

    def _decimal(self, text: str) -> _Val:
        """A decimal literal, converted exactly from its text (0.1 is 1/10, not a binary float)."""
        try:
            dec = Decimal(text.replace("_", ""))
        except InvalidOperation:
            raise _Reject(f"{text[:40]!r} is not a decimal number.") from None
        if not dec.is_finite():
            raise _Reject("Infinite or undefined decimals are not allowed.")
        digits = len(dec.as_tuple().digits)
        if digits > MAX_DECIMAL_DIGITS or abs(dec.adjusted()) > MAX_DECIMAL_EXPONENT:
            raise _Reject("A decimal number in your expression is too long or too large.")
        self.had_floats = True
        frac = Fraction(dec)
        return _Val(sympy.Rational(frac.numerator, frac.denominator),
                    _bits(frac.numerator) + _bits(frac.denominator))

    def _name(self, name: str) -> _Val:
        if name in self.table:
            obj = self.table[name]
            if isinstance(obj, sympy.IndexedBase):
                raise _Reject(f"{name} is the data: use it with an index, as in {name}[{self.symbols.index}].")
            return _Val(obj, self.max_size.bit_length() if obj == self.size_symbol else VAR_BITS)
        if name in _CONSTANTS:
            return _Val(_CONSTANTS[name], 64)
        if name in _SPECIAL:
            raise _Reject(f"Your expression contains {_SPECIAL[name]}, which cannot be an answer here.")
        if name in _FUNCTIONS:
            raise _Reject(f"{name} is a function: call it with arguments, as in {name}(...).")
        if not _NAME.match(name):
            raise _Reject(f"The name {name[:40]!r} is not allowed: use letters, digits and _ only.")
        if name in self.bound:
            return _Val(sympy.Symbol(name, integer=True), VAR_BITS)
        self.unknown.add(name)
        return _Val(sympy.Symbol(name, real=True), VAR_BITS)

    def _binop(self, node: ast.BinOp, depth: int) -> _Val:
        chains: tuple[tuple[tuple[type[ast.operator], ...], Any, Callable[[Any], Any]], ...] = (
            ((ast.Add, ast.Sub), sympy.Add, lambda e: -e), ((ast.Mult, ast.Div), sympy.Mul, lambda e: sympy.Pow(e, -1)))
        for ops, combine, invert in chains:
            if isinstance(node.op, ops):  # a flat chain: a - b + c is one Add, not nested ones
                vals = [(self.build(n, depth + 1), sign) for n, sign in _chain(node, ops)]
                expr = combine(*[v.expr if sign > 0 else invert(v.expr) for v, sign in vals])
                return self._checked(expr, sum(v.bits for v, _ in vals), any(v.has_exp for v, _ in vals))
        if isinstance(node.op, ast.Pow):
            return self._power(self.build(node.left, depth + 1), self.build(node.right, depth + 1))
        symbol = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@"}.get(type(node.op), "a bit operator")
        raise _Reject(f"The operator {symbol} is not allowed; use + - * / and **.")

    def _power(self, base: _Val, exponent: _Val) -> _Val:
        e = exponent.expr
        if not isinstance(e, sympy.Rational):
            raise _Reject("Exponents must be whole numbers or simple fractions such as 1/2.")
        if abs(e.p) > self.max_exponent or e.q > self.max_exponent:
            shown = str(e) if abs(e.p).bit_length() < 64 and e.q.bit_length() < 64 else "used"
            raise _Reject(f"The exponent {shown} is too large (at most {self.max_exponent}).")
        if e.q != 1 and base.expr.is_Number and base.bits > 200:
            raise _Reject("A root of a very large number is too large to evaluate.")
        return self._checked(sympy.Pow(base.expr, e), base.bits * max(1, abs(e.p)), base.has_exp)

    def _subscript(self, node: ast.Subscript, depth: int) -> _Val:
        base = node.value.id if isinstance(node.value, ast.Name) else None
        if base not in self.symbols.indexed:
            raise _Reject(f"Only the data {', '.join(self.symbols.indexed)} can be indexed with [...].")
        if isinstance(node.slice, (ast.Tuple, ast.Slice)):
            raise _Reject(f"Use a single index, as in {base}[{self.symbols.index}].")
        index = self.build(node.slice, depth + 1)
        if index.expr.is_integer is not True:
            raise _Reject(f"The index of {base}[...] must be a whole number or the summation index.")
        return _Val(self.table[base][index.expr], VAR_BITS)

    def _call(self, node: ast.Call, depth: int) -> _Val:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name is None:
            raise _Reject("Only calls of allowed functions by name, such as exp(...), are allowed.")
        if name not in self.calls:
            if name in self.table:
                raise _Reject(f"{name} is a symbol, not a function; did you forget a * ?")
            raise _Reject(f"The function {name[:40]} is not allowed here. Allowed: "
                          f"{', '.join(sorted(self.calls))}.")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise _Reject(f"{name}(...) must be called without keyword or starred arguments.")
        return self.calls[name](node, depth)

    def _args(self, node: ast.Call, count: int | tuple[int, ...], depth: int) -> list[_Val]:
        name = node.func.id  # type: ignore[attr-defined]
        counts = (count,) if isinstance(count, int) else count
        if len(node.args) not in counts:
            words = " or ".join(map(str, counts))
            raise _Reject(f"{name} takes {words} argument{'s' if counts != (1,) else ''}.")
        return [self.build(a, depth + 1) for a in node.args]

    def _function(self, node: ast.Call, depth: int) -> _Val:
        """exp, log (natural, or log(x, base)), sqrt, Abs, sign, KroneckerDelta, tanh, sinh, cosh, sech."""
        name = node.func.id  # type: ignore[attr-defined]
        counts: dict[str, int | tuple[int, ...]] = {"KroneckerDelta": 2, "log": (1, 2)}
        args = self._args(node, counts.get(name, 1), depth)
        has_exp = any(a.has_exp for a in args)
        if name == "sqrt":
            return self._power(args[0], _Val(sympy.Rational(1, 2), 2))
        if name in _EXPONENTIAL:
            if has_exp:
                raise _Reject(f"{name} inside exp, sinh, cosh, tanh or sech is not supported.")
            if args[0].bits > MAX_EXP_ARG_BITS:
                raise _Reject(f"The argument of {name} is too large to evaluate.")
            # the sigmoid of tanh units is exp of tanh: allowed, since tanh and sech stay within [-1, 1]
            bounded = name in _BOUNDED
            return _Val(_MATH[name](args[0].expr), 2 if bounded else 64, not bounded)
        bits = {"log": 64, "Abs": args[0].bits}.get(name, 2)  # float, |value|, or -1/0/1
        return _Val(_MATH[name](*(a.expr for a in args)), bits, has_exp)

    def _exact(self, node: ast.Call, depth: int) -> _Val:
        """Integer(n) and Rational(p, q): whole-number arguments only."""
        name = node.func.id  # type: ignore[attr-defined]
        args = self._args(node, 1 if name == "Integer" else 2, depth)
        if not all(isinstance(a.expr, sympy.Integer) for a in args):
            raise _Reject(f"{name}(...) takes whole numbers.")
        if name == "Integer":
            return args[0]
        if args[1].expr == 0:
            raise _Reject("Rational(p, 0) divides by zero.")
        return _Val(sympy.Rational(args[0].expr, args[1].expr), args[0].bits + args[1].bits)

    def _float_call(self, node: ast.Call, depth: int) -> _Val:
        if len(node.args) != 1:
            raise _Reject("Float takes one argument, as in Float('0.5').")
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return self._decimal(arg.value[:200])
        val = self.build(arg, depth + 1)
        if not isinstance(val.expr, sympy.Rational):
            raise _Reject("Float(...) takes a number.")
        self.had_floats = True
        return val

    def _sum(self, node: ast.Call, depth: int) -> _Val:
        if not self.symbols.index:
            raise _Reject("This problem is about one example: write the expression itself, without a Sum.")
        if len(node.args) < 2:
            raise _Reject(f"Sum needs limits, as in Sum(..., ({self.symbols.index}, 1, {self.symbols.size})).")
        body = self.build(node.args[0], depth + 1)
        limits, terms = [], 1
        for arg in node.args[1:]:
            limit, count = self._limit(arg, depth + 1)
            limits.append(limit)
            terms *= count
        if terms > MAX_SUM_TERMS:
            raise _Reject("Your Sum runs over too many terms; sum over the data, from 1 to m.")
        return self._checked(sympy.Sum(body.expr, *limits), body.bits * terms + 16, body.has_exp)

    def _limit(self, node: ast.AST, depth: int) -> tuple[tuple[sympy.Expr, ...], int]:
        """One (index, lower, upper) triple; the range is checked at every size value."""
        hint = f"({self.symbols.index}, 1, {self.symbols.size})"
        if not (isinstance(node, ast.Tuple) and len(node.elts) == 3 and isinstance(node.elts[0], ast.Name)):
            raise _Reject(f"The limits of a Sum must look like {hint}.")
        name = node.elts[0].id
        if name in self.table and name != self.symbols.index:
            raise _Reject(f"{name} cannot be a summation index; use {self.symbols.index}.")
        index = self._name(name).expr
        lo, hi = (self.build(n, depth + 1).expr for n in node.elts[1:])
        if not (lo.free_symbols | hi.free_symbols) <= {self.size_symbol}:
            raise _Reject(f"The limits of a Sum may use only {self.symbols.size} and whole numbers.")
        most = 0
        for n in self.symbols.sizes:
            a, b = (v.xreplace({self.size_symbol: sympy.Integer(n)}) for v in (lo, hi))
            if not (a.is_Integer and b.is_Integer):
                raise _Reject("The limits of a Sum must be whole numbers.")
            if max(abs(a), abs(b)) > MAX_SUM_LIMIT:
                raise _Reject("The limits of your Sum are too large; sum over the data, from 1 to m.")
            most = max(most, abs(int(b) - int(a)) + 1)
        return (index, lo, hi), most

    def _derivative(self, node: ast.Call, depth: int) -> _Val:
        if len(node.args) < 2:
            raise _Reject(f"Derivative needs a variable, as in Derivative(f, {self._example()}).")
        body = self.build(node.args[0], depth + 1)
        variables, order = [], 0
        for arg in node.args[1:]:
            var, n = self._derivative_variable(arg)
            variables.append((var, n))
            order += n
        if order > MAX_DERIVATIVE_ORDER:
            raise _Reject("The order of the derivative is too high.")
        expr = sympy.Derivative(body.expr, *variables)
        return self._checked(expr, body.bits * (order + 1), body.has_exp)

    def _example(self) -> str:
        """A declared symbol to show in an example: the first real parameter, else the size."""
        return self.symbols.reals[0] if self.symbols.reals else self.symbols.size or "x"

    def _subs_example(self) -> str:
        names = self.symbols.reals or (self.symbols.size,)
        if len(names) == 1:
            return f"Subs(f, {names[0]}, 0)"
        return f"Subs(f, ({', '.join(names)}), ({', '.join('0' for _ in names)}))"

    def _derivative_variable(self, node: ast.AST) -> tuple[sympy.Symbol, int]:
        order = 1
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            count = node.elts[1]
            if not (isinstance(count, ast.Constant) and type(count.value) is int and 1 <= count.value):
                raise _Reject("The order of a derivative must be a small whole number.")
            node, order = node.elts[0], min(count.value, MAX_DERIVATIVE_ORDER + 1)
        var = self._name(node.id).expr if isinstance(node, ast.Name) else None
        if not isinstance(var, sympy.Symbol):
            raise _Reject(f"Differentiate with respect to a symbol, as in Derivative(f, {self._example()}).")
        return var, order

    def _subs(self, node: ast.Call, depth: int) -> _Val:
        """Subs(expr, old, new) as sstr prints an unevaluated substitution."""
        if len(node.args) != 3:
            raise _Reject("Subs takes an expression, the symbols and their values.")
        body = self.build(node.args[0], depth + 1)
        old_nodes, new_nodes = node.args[1], node.args[2]
        olds = old_nodes.elts if isinstance(old_nodes, ast.Tuple) else [old_nodes]
        news = new_nodes.elts if isinstance(new_nodes, ast.Tuple) else [new_nodes]
        if len(olds) != len(news) or not all(isinstance(o, ast.Name) for o in olds):
            raise _Reject(f"Subs must replace symbols by values, as in {self._subs_example()}.")
        old = [self._name(o.id).expr for o in olds]  # type: ignore[attr-defined]
        new = [self.build(n, depth + 1) for n in news]
        if not all(isinstance(o, sympy.Symbol) for o in old):
            raise _Reject("Subs must replace symbols by values.")
        scale = max([1] + [-(-v.bits // VAR_BITS) for v in new])
        expr = sympy.Subs(body.expr, tuple(old), tuple(v.expr for v in new))
        return self._checked(expr, body.bits * scale, body.has_exp or any(v.has_exp for v in new))


def _chain(node: ast.BinOp, ops: tuple[type, ...]) -> list[tuple[ast.AST, int]]:
    """Flatten a left-deep chain a - b + c (or a * b / c) without recursion: [(a,+1),(b,-1),(c,+1)]."""
    items: list[tuple[ast.AST, int]] = []
    current: ast.AST = node
    while isinstance(current, ast.BinOp) and isinstance(current.op, ops):
        items.append((current.right, 1 if isinstance(current.op, (ast.Add, ast.Mult)) else -1))
        current = current.left
    items.append((current, 1))
    return items[::-1]


def _bound_names(tree: ast.AST) -> frozenset[str]:
    """Names used as the index of a Sum: they are integers, not undeclared real symbols."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Sum":
            for limit in node.args[1:]:
                if isinstance(limit, ast.Tuple) and limit.elts and isinstance(limit.elts[0], ast.Name):
                    names.add(limit.elts[0].id)
    return frozenset(names)


def _bits(n: int) -> int:
    return abs(n).bit_length() + 1


__all__ = ["ParseFailure", "Parsed", "canonical_symbols", "parse", "parse_answer"]
