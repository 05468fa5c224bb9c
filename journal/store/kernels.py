"""Arrow compute kernels, called without importing ``pyarrow.compute``.

``import pyarrow.compute`` builds a Python wrapper, with a parsed docstring, for each of
its ~300 functions: ~60 ms, a third to a half of ``import pyarrow.parquet``, on every
command that reads the journal. The kernels themselves are in ``pyarrow._compute``
(~20 ms, loaded on the first call); this module calls them by name, with the signatures
the journal uses (``kernels.match_substring(column, pattern=..., ignore_case=True)``), so
that ``from . import kernels as pc`` stands in for ``import pyarrow.compute as pc``.

Table and array methods that compute (``Table.take``, ``Table.filter``, ``.cast``,
``.is_valid``...) import ``pyarrow.compute`` on first use: read paths use
:func:`take`, :func:`filter` and :func:`cast` here instead. Should a pyarrow release
move the names this relies on, everything falls back to ``pyarrow.compute``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_RENAMED = {"and_": "and", "or_": "or"}


@functools.cache
def _compute() -> Any:
    """``pyarrow._compute`` (loaded on the first kernel call: ``journal list`` needs none),
    or None if this pyarrow does not have everything this module relies on (checked here,
    once, so that a pyarrow release moving any of it means the fallback, never an error)."""
    try:
        import pyarrow._compute as compute
    except ImportError:  # pragma: no cover
        return None
    names = ("get_function", "CastOptions", "FilterOptions", "TakeOptions")
    if not all(hasattr(compute, n) for n in names):
        return None
    try:
        take = compute.get_function("take")
        usable = isinstance(take.arity, int) and take._doc.options_class == "TakeOptions"
    except Exception:  # pragma: no cover - a pyarrow whose private layout moved
        return None
    return compute if usable else None


def _fallback(name: str) -> Callable[..., Any]:
    import pyarrow.compute

    return getattr(pyarrow.compute, name)


def _kernel(name: str) -> Callable[..., Any]:
    """A function calling the kernel ``name`` as ``pyarrow.compute.<name>`` would:
    positional arguments are the data, keyword arguments build its options."""
    compute = _compute()
    if compute is None:
        return _fallback(name)
    try:
        function = compute.get_function(_RENAMED.get(name, name))
    except Exception:  # an unknown name: ArrowKeyError
        raise AttributeError(f"no Arrow compute function {name!r}") from None
    class_name = function._doc.options_class
    options_class = getattr(compute, class_name, None) if class_name else None
    if class_name and options_class is None:  # pragma: no cover
        return _fallback(name)
    arity = function.arity  # an int, or Ellipsis for a function of any number of arguments

    def call(*args: Any, options: Any = None, memory_pool: Any = None, **kwargs: Any) -> Any:
        # pyarrow.compute also takes options positionally (``struct_field(x, "f")``); here
        # that would be data, and Arrow's ArrowInvalid reads as a damaged journal on a read path
        if isinstance(arity, int) and len(args) != arity:
            raise TypeError(f"{name} takes {arity} data arguments, not {len(args)}; pass options by keyword")
        if kwargs:
            if options is not None or options_class is None:
                raise TypeError(f"{name}: unexpected keyword arguments {sorted(kwargs)}")
            options = options_class(**kwargs)
        return function.call(args, options, memory_pool)

    call.__name__ = name
    return call


def __getattr__(name: str) -> Callable[..., Any]:
    if name.startswith("__"):
        raise AttributeError(name)
    kernel = _kernel(name)
    globals()[name] = kernel  # made once per name
    return kernel


def take(data: Any, indices: Any, *, boundscheck: bool = True, memory_pool: Any = None) -> Any:
    """``data[indices]`` for an array, chunked array, record batch or table."""
    compute = _compute()
    if compute is None:
        return _fallback("take")(data, indices, boundscheck=boundscheck, memory_pool=memory_pool)
    options = compute.TakeOptions(boundscheck=boundscheck)
    return compute.get_function("take").call([data, indices], options, memory_pool)


def filter(data: Any, mask: Any, null_selection_behavior: str = "drop", *, memory_pool: Any = None) -> Any:  # noqa: A001
    """The rows of ``data`` where ``mask`` is true (as ``pyarrow.compute.filter``)."""
    compute = _compute()
    if compute is None:
        return _fallback("filter")(data, mask, null_selection_behavior, memory_pool=memory_pool)
    options = compute.FilterOptions(null_selection_behavior)
    return compute.get_function("filter").call([data, mask], options, memory_pool)


def cast(arr: Any, target_type: Any = None, safe: bool | None = None, *, memory_pool: Any = None) -> Any:
    """``arr`` as ``target_type`` (as ``pyarrow.compute.cast``: checked unless ``safe=False``)."""
    compute = _compute()
    if compute is None:
        return _fallback("cast")(arr, target_type, safe, memory_pool=memory_pool)
    options = (
        compute.CastOptions.unsafe(target_type) if safe is False else compute.CastOptions.safe(target_type)
    )
    return compute.get_function("cast").call([arr], options, memory_pool)
