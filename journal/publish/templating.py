"""The Jinja2 templates of the static site and the stylesheet shared with ``journal render``.

The shipped files live in ``journal/publish/templates/`` (package data). A user's folder
(``--template-dir DIR``) is searched first, by file name: a ``day.html.j2`` there replaces
the shipped one, the others still come from the package.

Every ``{{ value }}`` is escaped (autoescaping) the way :func:`html.escape` does it (quotes
as ``&quot;`` and ``&#x27;``), so pages are byte for byte what the Python renderer made
before templates; values that are already HTML come in as ``Markup``. jinja2 is imported
lazily.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from journal.errors import ExportFailed, ValidationError

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STYLESHEET = "journal.css"
#: The templates a user may override (``page.html.j2`` is the frame of the others).
NAMES = ("page.html.j2", "day.html.j2", "index.html.j2", "tags.html.j2", "entry.html.j2", STYLESHEET)


def check_template_dir(template_dir: str | Path | None) -> Path | None:
    if template_dir is None:
        return None
    folder = Path(template_dir).expanduser()
    if not folder.is_dir():
        raise ValidationError(
            "template-dir",
            f"{folder} is not a folder; give a folder holding any of: {', '.join(NAMES)}",
        )
    return folder.resolve()


def stylesheet(template_dir: str | Path | None = None) -> str:
    """The site's CSS: the user's ``journal.css`` if their template folder has one."""
    folder = check_template_dir(template_dir)
    for candidate in ([folder / STYLESHEET] if folder else []) + [TEMPLATES_DIR / STYLESHEET]:
        if candidate.is_file():
            try:
                return candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise ExportFailed(candidate, f"cannot be read ({e})") from None
    raise ExportFailed(TEMPLATES_DIR / STYLESHEET, "is missing; reinstall journal")


@cache
def _markup_type() -> Any:
    from markupsafe import Markup

    return Markup


def markup(text: str) -> Any:
    """``text`` as HTML that the templates insert as it is (``Markup``)."""
    # what Markup(text) gives for a str, without its Python-level __new__ (every link,
    # linkified paragraph and entry of a page is one)
    return str.__new__(_markup_type(), text)


def _finalize(value: Any) -> Any:
    # Jinja then escapes every value with markupsafe, which spells quotes &#39; and &#34;
    # and the rest as html.escape does: only a text holding a quote needs html.escape's
    # spelling (most hold none, and this runs for every value of every page)
    if type(value) is str:
        if "'" in value or '"' in value:
            return markup(html.escape(value, quote=True))
        return value
    if isinstance(value, str) and not isinstance(value, _markup_type()):
        return markup(html.escape(value, quote=True))
    return value


def environment(template_dir: Path | None, filters: tuple[tuple[str, Callable[..., Any]], ...]) -> Any:
    """A Jinja2 environment over the user's folder (if any), then the shipped templates.
    Make one per export: it compiles each template once and never looks at the files
    again (a template edited meanwhile is seen by the next export)."""
    import jinja2

    folders = [str(template_dir)] if template_dir else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, str(TEMPLATES_DIR)]),
        autoescape=True,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # an export renders each template thousands of times: no stat per page
    )
    env.filters.update(dict(filters))
    return env


def render(env: Any, name: str, **context: Any) -> str:
    """Render one template; a broken user template is one clear error naming its file."""
    import jinja2

    try:
        return str(env.get_template(name).render(**context))
    except jinja2.TemplateSyntaxError as e:
        raise ExportFailed(e.filename or name, f"line {e.lineno}: {e.message}; fix the template") from None
    except jinja2.TemplateError as e:
        raise ExportFailed(name, f"the template failed: {e}; fix it (see docs/bibtex-html.md)") from None
    except UnicodeDecodeError:
        raise ExportFailed(name, "is not UTF-8 text; save the template as UTF-8") from None
    except OSError as e:
        raise ExportFailed(name, f"cannot be read ({e.strerror})") from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as e:
        # Python errors raised by a user template's expressions (``{{ 1 // 0 }}``)
        raise ExportFailed(name, f"the template failed: {e}; fix it (see docs/bibtex-html.md)") from None
