"""Every escape of a model name for an output format lives here.

Model names are user text: they may hold spaces, quotes, `;`, `#`, `%%`, backticks, HTML,
newlines, keywords such as `end`, or nothing visible at all. Writers never put a name into an
output directly: diagram elements get generated ids (`p1`, `s3`, `n7`) and the name goes into a
label through one of the functions below. Each returns `EscapedText`, and the diagram templates
refuse to print any plain string (see `diagram_environment`), so a forgotten escape
fails loudly instead of producing a diagram a name can break.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

BLANK_LABEL = "(unnamed)"


class EscapedText(str):
    """Text that is safe to print into the output format it was escaped for."""


def joined(items: Iterable[Any], separator: str = ", ") -> EscapedText:
    """Escaped texts joined by `separator` (template text): a template's `| joined` filter.

    Refuses a plain string among them, as the templates' `finalize` would.
    """
    items = list(items)
    for item in items:
        if not isinstance(item, EscapedText):
            raise TypeError(f"joined takes only escaped text; got {item!r}")
    return EscapedText(separator.join(items))


def identifier(prefix: str, number: int) -> EscapedText:
    """A generated element id such as `p1`: letters and digits only, never a model name."""
    if not prefix.isalpha() or not prefix.isascii():
        raise ValueError(f"identifier prefix must be ASCII letters, not {prefix!r}")
    return EscapedText(f"{prefix}{int(number)}")


def literal(text: str) -> EscapedText:
    """Fixed text written by grimoire itself (no model content); checked to be plain."""
    if not re.fullmatch(r"[A-Za-z0-9 .,:()/+\-]*", text):
        raise ValueError(f"literal text must be plain ASCII words, not {text!r}")
    return EscapedText(text)


def single_line(name: str) -> str:
    """The name on one line: line breaks, control and format characters become spaces."""
    name = str(name)
    if name.isprintable():
        # isprintable() is False for every character category replaced below.
        return name if name.strip() else BLANK_LABEL
    chars = []
    for char in name:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            chars.append(" ")
        else:
            chars.append(char)
    text = "".join(chars)
    return text if text.strip() else BLANK_LABEL


# Mermaid decodes `#name;` and `#code;` entities in labels, messages and notes. Every character
# that can end a statement (`;`), start an entity or comment (`#`, `%`), close a quoted label
# (`"`), delimit a node shape or edge label (`[]{}|`), open markdown strings (backtick), become
# emphasis (`*`, and `_` outside words) or HTML (`<`, `>`, `&`) is written as one. Colons,
# parentheses and `=` are harmless in every position a name goes (render-tested).
_MERMAID_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    ";": "#59;",
    "%": "#37;",
    "`": "#96;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "[": "#91;",
    "]": "#93;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
    "\\": "#92;",
    "*": "#42;",
}


def _intraword(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return before.isalnum() and after.isalnum()


# Any character mermaid_text may rewrite; a name without one is written as it is.
_MERMAID_REWRITTEN = re.compile("[" + re.escape("".join(_MERMAID_ENTITIES)) + "_]")


def mermaid_text(name: str) -> EscapedText:
    """A name as Mermaid label, message, note or block text (inside or outside quotes)."""
    # Keywords (`end`, `else`, `and`) are inert once they follow an id, a colon or a block
    # keyword, which is the only place a name goes.
    line = single_line(name)
    if not _MERMAID_REWRITTEN.search(line):
        return EscapedText(line.strip() or BLANK_LABEL)
    out = []
    for index, char in enumerate(line):
        if char == "_" and not _intraword(line, index):
            out.append("#95;")  # `_x_` would become emphasis in markdown-aware labels
        else:
            out.append(_MERMAID_ENTITIES.get(char, char))
    text = "".join(out)
    return EscapedText(text.strip() or BLANK_LABEL)


# PlantUML has no string escapes; `<U+XXXX>` writes any character literally, outside creole
# markup. Quotes, angle brackets, backslashes, creole and preprocessor characters go that way;
# `-` and `_` only when doubled (`--strike--`, `__underline__`).
_PLANTUML_ALWAYS = set("\"<>\\~&[]{}|*^=#`'@$%!/;")
_PLANTUML_DOUBLED = set("-_.")


def plantuml_text(name: str) -> EscapedText:
    """A name as a PlantUML participant label, message, note or group text."""
    out = []
    previous = ""
    for char in single_line(name):
        if char in _PLANTUML_ALWAYS or (char in _PLANTUML_DOUBLED and char == previous):
            out.append(f"<U+{ord(char):04X}>")
        else:
            out.append(char)
        previous = char
    return EscapedText("".join(out).strip() or BLANK_LABEL)


_SLUG_GAPS = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    """A file-name-safe slug: lowercase ASCII letters, digits and single hyphens."""
    folded = str(name)
    if not folded.isascii():  # NFKD leaves ASCII as it is
        folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    text = _SLUG_GAPS.sub("-", folded.lower()).strip("-")
    return text[:60].strip("-")


TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _only_escaped(value: Any) -> Any:
    """Jinja `finalize`: every printed value must be escaped text or a number."""
    if isinstance(value, EscapedText) or (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    ):
        return value
    raise TypeError(
        f"template printed {value!r} without an escape filter; pass names through "
        "`| mermaid` or `| plantuml`"
    )


@lru_cache(maxsize=1)
def diagram_environment() -> Any:
    """The jinja2 environment for diagram templates: no autoescape (diagram languages are not
    HTML), escape filters for each language, and a `finalize` that refuses plain strings."""
    import jinja2

    from .template_cache import attach_cache

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,
        auto_reload=False,  # templates do not change while a command runs
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=_only_escaped,
    )
    environment.filters["mermaid"] = mermaid_text
    environment.filters["plantuml"] = plantuml_text
    environment.filters["joined"] = joined
    environment.globals["indent"] = lambda depth: EscapedText("    " * int(depth))
    attach_cache(environment)
    return environment


# AsyncAPI component keys must match ^[a-zA-Z0-9.\-_]+$.
_COMPONENT_KEY = re.compile(r"^[A-Za-z0-9.\-_]+$")


def component_keys(names: Iterable[str]) -> dict[str, str]:
    """Each name mapped to a valid, unique AsyncAPI component key, in the given order.

    Valid names keep themselves; others have every invalid character run replaced by `_`
    (non-ASCII letters folded first), and a clash gets a `-2`, `-3` suffix.
    """
    keys: dict[str, str] = {}
    names = list(dict.fromkeys(names))
    taken = {name for name in names if _COMPONENT_KEY.fullmatch(name)}
    for name in names:
        if _COMPONENT_KEY.fullmatch(name):
            keys[name] = name
            continue
        folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        base = re.sub(r"[^A-Za-z0-9.\-_]+", "_", folded).strip("_") or "unnamed"
        candidate, counter = base, 2
        while candidate in taken:
            candidate = f"{base}-{counter}"
            counter += 1
        taken.add(candidate)
        keys[name] = candidate
    return keys


# --- Markdown (the docs catalog) ---------------------------------------------------------------
# Backslash-escape every character that can start inline markup, a link, a table cell or
# strikethrough anywhere in a line, write `<`, `>`, `&` as entities (no HTML), and escape what
# starts a heading, list, quote or rule at the start of a line, so model text renders literally.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MARKDOWN_LINE_START = re.compile(r"^(#|[-+=]|\d+(?=[.)]))")


def markdown_text(text: object) -> EscapedText:
    """Model text shown literally inside a Markdown line (also safe in a table cell)."""
    return _markdown_text(str(text))


def _one_line(value: str) -> str:
    # isprintable() is False for every control, format and separator character single_line
    # replaces, so printable text can skip its per-character pass.
    return " ".join((value if value.isprintable() else single_line(value)).split())


@lru_cache(maxsize=8192)
def _markdown_text(value: str) -> EscapedText:
    # Cached: a catalog repeats the same names and words on many pages.
    if not value.strip():
        return EscapedText("")
    value = _one_line(value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MARKDOWN_INLINE.sub(r"\\\1", value)
    match = _MARKDOWN_LINE_START.match(value)
    if match:
        head = match.group(1)
        # `12. x` / `12) x` start a list: escape the dot; `#`, `-`, `+`, `=` themselves.
        value = head + "\\" + value[len(head) :] if head[0].isdigit() else "\\" + value
    return EscapedText(value)


def markdown_paragraphs(text: object) -> EscapedText:
    """Multi-line model text shown literally, keeping its blank-line paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", str(text).strip())
    return EscapedText("\n\n".join(markdown_text(p) for p in paragraphs if p.strip()))


def markdown_code(text: object) -> EscapedText:
    """Model text as an inline code span, whatever backticks or pipes it contains."""
    return _markdown_code(str(text))


@lru_cache(maxsize=8192)
def _markdown_code(value: str) -> EscapedText:
    value = _one_line(value) if value.strip() else value.strip()
    # A pipe ends a table cell even inside a code span (GitHub); `\|` shows as a pipe there.
    value = value.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if value.startswith("`") or value.endswith("`") else ""
    return EscapedText(f"{fence}{padding}{value}{padding}{fence}")


_FENCE_LANGUAGE = re.compile(r"[a-z]*")
_FENCE_RUN = re.compile(r"`{3,}")


def markdown_fence(text: str, language: str = "") -> EscapedText:
    """A fenced code block holding `text` verbatim, its fence longer than any backtick run in it."""
    if not _FENCE_LANGUAGE.fullmatch(language):
        raise ValueError(f"fence language must be lowercase letters, not {language!r}")
    longest = 2
    if "```" in text:
        longest = max(len(run) for run in _FENCE_RUN.findall(text))
    fence = "`" * (longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return EscapedText(f"{fence}{language}\n{body}{fence}")


# `OrderPlaced` -> `order-placed`: a hyphen where a lowercase letter or digit meets a capital.
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def unique_slugs(names: Iterable[str]) -> dict[str, str]:
    """A unique slug per name, stable for the same set of names.

    A name keeps its plain slug when no other name shares it; names that share a slug, or
    slug to nothing, get a short hash of the name appended, so their files never swap.
    """
    import hashlib

    names = list(dict.fromkeys(names))
    stems = {name: slug(_CAMEL_BOUNDARY.sub("-", name)) for name in names}
    owners: dict[str, int] = {}
    for name in names:
        owners[stems[name]] = owners.get(stems[name], 0) + 1
    taken = {stem for stem, count in owners.items() if stem and count == 1}
    slugs: dict[str, str] = {}
    for name in names:
        stem = stems[name]
        if stem and owners[stem] == 1:
            slugs[name] = stem
            continue
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
        candidate = f"{stem or 'x'}-{digest[:8]}"
        width = 8
        while candidate in taken:
            width += 2
            candidate = f"{stem or 'x'}-{digest[:width]}"
        taken.add(candidate)
        slugs[name] = candidate
    return slugs


_LINK_TARGET = re.compile(r"^(\.\./)?[a-z0-9][a-z0-9./_-]*(#[a-z0-9_-]+)?$|^#[a-z0-9_-]+$")


def markdown_link(text: object, target: str) -> EscapedText:
    """A Markdown link: model text shown literally, to a generated relative path or anchor."""
    if not _LINK_TARGET.fullmatch(target):
        raise ValueError(f"link target must be a generated relative path, not {target!r}")
    return EscapedText(f"[{markdown_text(text)}]({target})")
