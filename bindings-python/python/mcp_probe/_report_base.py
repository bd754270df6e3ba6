"""The behaviour of the report classes in ``_report.py`` (which is generated from the schema).

Every object keeps the engine's JSON object it was made from, so ``to_dict()`` returns exactly
that JSON (camelCase keys, absent fields left out) and fields added by a newer engine are kept.
Attributes are converted from that JSON on first access and then cached, so a check whose
caller only reads ``report.ok`` pays for nothing else.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, Mapping, Optional, Tuple, Type, TypeVar

if TYPE_CHECKING:
    from ._report import Failure, StepReport

_JsonObject = Dict[str, Any]
_Convert = Callable[[_JsonObject], Any]
_P = TypeVar("_P", bound="_Part")


class _Part:
    """Shared behaviour: the JSON object, lazy immutable attributes, ``to_dict()``, pickling."""

    __slots__ = ("_data",)
    _data: _JsonObject
    #: How each attribute is made from the JSON object (made from every subclass's annotations).
    _FIELDS: ClassVar[Dict[str, _Convert]] = {}
    #: The attributes ``repr()`` shows.
    _REPR: ClassVar[Tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Makes ``_FIELDS`` from the class's annotated attributes (see :func:`_converter`)."""
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__annotations__")
        if own is None:  # Python 3.14 creates annotations when asked
            own = getattr(cls, "__annotations__", {})
        cls._FIELDS = {
            name: _converter(cls.__module__, name, str(annotation))
            for name, annotation in own.items()
            if not name.startswith("_")
        }

    def __init__(self, data: Mapping[str, Any]) -> None:
        """Wraps an engine JSON object (copied, so later changes to ``data`` do not show)."""
        object.__setattr__(self, "_data", copy.deepcopy(dict(data)))

    @classmethod
    def _wrap(cls: Type[_P], data: _JsonObject) -> _P:
        """Wraps freshly parsed JSON that nothing else holds, without copying it."""
        part = cls.__new__(cls)
        object.__setattr__(part, "_data", data)
        return part

    if not TYPE_CHECKING:

        def __getattr__(self, name):
            # Only called for attributes not set yet: convert, cache in the slot, return.
            convert = type(self)._FIELDS.get(name)
            if convert is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = convert(self._data)
            object.__setattr__(self, name, value)
            return value

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"{type(self).__name__} is immutable (cannot assign to {name!r})")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"{type(self).__name__} is immutable (cannot delete {name!r})")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self._data == other._data)

    __hash__ = None  # type: ignore[assignment]  # equal by value, and the value is mutable JSON

    def to_dict(self) -> dict[str, Any]:
        """This object as the engine's JSON object (a fresh copy; camelCase keys)."""
        return copy.deepcopy(self._data)

    def to_json(self, *, indent: int | None = None) -> str:
        """This object as JSON text (``json.dumps`` of :meth:`to_dict`)."""
        return json.dumps(self._data, indent=indent)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self)._wrap, (self._data,))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._REPR)
        return f"{type(self).__name__}({fields})"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


#: The empty value of an absent field that the schema requires or gives a default.
_EMPTY: Dict[str, Any] = {"str": "", "int": 0, "float": 0.0, "Dict[str, Any]": {}}


def _converter(module: str, name: str, annotation: str) -> _Convert:
    """How the attribute ``name`` (annotated ``annotation``) is made from the JSON object: read
    from its camelCase key; an absent value is ``None`` when the annotation is ``Optional``, else
    empty. ``annotation`` is one of the forms ``_report.py`` uses: ``T``, ``Optional[T]``,
    ``Tuple[T, ...]`` and ``Optional[Tuple[T, ...]]``, with ``T`` a JSON scalar type,
    ``Dict[str, Any]`` or a report class of ``module``."""
    key = _camel(name)
    optional = annotation.startswith("Optional[")
    inner = annotation[len("Optional[") : -1] if optional else annotation
    many = inner.startswith("Tuple[")
    if many:
        inner = inner[len("Tuple[") : -len(", ...]")]
    one: Callable[[Any], Any]
    if inner == "bool":
        one = lambda value: value is True  # noqa: E731
    elif inner in ("str", "int", "float"):
        one = {"str": str, "int": int, "float": float}[inner]
    elif inner == "Dict[str, Any]":
        one = copy.deepcopy
    else:
        # A report class, looked up when first needed (it may be declared further down).
        one = lambda value: getattr(sys.modules[module], inner)._wrap(value)  # noqa: E731

    def convert(data: _JsonObject) -> Any:
        value = data.get(key)
        if value is None:
            if optional:
                return None
            value = () if many else _EMPTY.get(inner, False if inner == "bool" else {})
        return tuple([one(item) for item in value]) if many else one(value)

    return convert


class _StepReportMethods(_Part):
    """What ``StepReport`` adds to its fields."""

    __slots__ = ()
    if TYPE_CHECKING:
        name: str
        status: str
        duration_ms: float
        failure: Optional[Failure]

    @property
    def ok(self) -> bool:
        """Whether the step passed (``pass`` or ``warn``)."""
        return self.status in ("pass", "warn")

    def __repr__(self) -> str:
        extra = f", failure={self.failure!r}" if self.failure is not None else ""
        return f"StepReport(name={self.name!r}, status={self.status!r}, duration_ms={self.duration_ms!r}{extra})"


class _ReportMethods(_Part):
    """What ``Report`` adds to its fields.

    A failing server is a report with ``ok == False``, never an exception; ``to_dict()`` /
    ``to_json()`` give exactly the JSON ``mcp-probe check --format json`` prints.
    """

    __slots__ = ()
    if TYPE_CHECKING:
        ok: bool
        target: str
        steps: Tuple[StepReport, ...]
        failure: Optional[Failure]

    @classmethod
    def from_json(cls: Type[_P], text: str | bytes) -> _P:
        """A report from its JSON text (e.g. saved output of ``mcp-probe check --format json``)."""
        return cls._wrap(json.loads(text))

    @classmethod
    def from_dict(cls: Type[_P], data: Mapping[str, Any]) -> _P:
        """A report from its JSON object (what :meth:`to_dict` returns); the mapping is copied."""
        return cls(data)

    @property
    def failed_step(self) -> StepReport | None:
        """The step that failed, if any."""
        return next((s for s in self.steps if s.status == "fail"), None)

    def step(self, name: str) -> StepReport | None:
        """The first step called ``name`` (``auth``, ``handshake``, ``tools/list``, ``tools/call``), if any."""
        return next((s for s in self.steps if s.name == name), None)

    def __repr__(self) -> str:
        steps = ", ".join(f"{s.name}:{s.status}" for s in self.steps)
        failure = f", failure={self.failure!r}" if self.failure is not None else ""
        return f"Report(ok={self.ok!r}, target={self.target!r}, steps=[{steps}]{failure})"
