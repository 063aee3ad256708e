"""The demo developer's code: a small, real service for the request's subject in its language.

The subject picks a domain (a URL shortener stores links under a code, a todo app stores tasks...),
the domain fills a per-language template. A first draft leaves out three things a reviewer will
catch (input validation, the tests for bad input, and one language-specific flaw); the revision
after a review has them, so the review loop visibly changes the code.
"""

from __future__ import annotations

import re

import msgspec

from .demo_code_templates import TEMPLATES as _CORE_TEMPLATES
from .demo_code_templates_web import TEMPLATES as _WEB_TEMPLATES
from .demo_snippets import FIBONACCI, PALINDROME
from .demo_snippets_more import MIGRATION, SNIPPET_KINDS, SORT, WORDS
from .demo_text import LANGUAGES, Subject

TEMPLATES = {**_CORE_TEMPLATES, **_WEB_TEMPLATES}
SNIPPETS = {"palindrome": PALINDROME, "fibonacci": FIBONACCI, "sort": SORT, "words": WORDS}


class Domain(msgspec.Struct, frozen=True):
    entity: str  # "Link"
    plural: str  # "links"
    key: str  # "code": the generated identifier
    value: str  # "url": what the user stores
    sample: str
    bad: str  # a value validation must refuse
    check: str  # "url" | "email" | "nonempty"
    hashed: bool = False  # keys look random (short codes) rather than counting up

    @property
    def value_desc(self) -> str:
        return {"url": "an http(s) URL", "email": "an email address"}.get(self.check, f"a non-empty {self.value}")


# (pattern on the topic, domain); the first match wins.
_DOMAINS = [
    (r"shorten|short link|\burls?\b|tiny ?url",
     Domain("Link", "links", "code", "url", "https://example.com/docs/start", "not a url", "url", True)),
    (r"bookmark",
     Domain("Bookmark", "bookmarks", "key", "url", "https://example.com/read-later", "example dot com", "url")),
    (r"blog|\bposts?\b|article",
     Domain("Post", "posts", "slug", "title", "Shipping on Fridays", "   ", "nonempty", True)),
    (r"\bnotes?\b|journal|diary|wiki",
     Domain("Note", "notes", "slug", "text", "Call the printer about the quote", "   ", "nonempty", True)),
    (r"todo|to-do|\btasks?\b|checklist|reminder",
     Domain("Task", "tasks", "key", "title", "Write the release notes", "   ", "nonempty")),
    (r"cache|key-value|\bkv\b|config", Domain("Entry", "entries", "key", "value", "42", "", "nonempty")),
    (r"\bbooks?|library", Domain("Book", "books", "key", "title", "The Pragmatic Programmer", "   ", "nonempty")),
    (r"inventory|product|shop|cart|catalog|warehouse",
     Domain("Product", "products", "sku", "name", "Blue mug, 350 ml", "   ", "nonempty", True)),
    (r"user|account|sign-?up|login|auth|member|newsletter|subscri",
     Domain("Member", "members", "key", "email", "ada@example.com", "ada.example.com", "email")),
    (r"chat|message|comment|guestbook|forum",
     Domain("Message", "messages", "key", "body", "Deploy is done", "   ", "nonempty")),
    (r"recipe", Domain("Recipe", "recipes", "slug", "title", "Lemon risotto", "   ", "nonempty", True)),
    (r"expense|budget|invoice", Domain("Expense", "expenses", "key", "label", "Train to Lyon", "   ", "nonempty")),
    (r"event|calendar|booking|appointment|reservation",
     Domain("Booking", "bookings", "key", "title", "Dentist, Tuesday 9:30", "   ", "nonempty")),
]
_GENERIC = {"app", "application", "service", "api", "rest", "tool", "system", "server", "cli", "website", "site",
            "program", "script", "library", "bot", "dashboard", "tracker", "manager", "platform", "backend",
            "frontend", "web", "simple", "small", "basic", "tiny", "minimal", "microservice", "module", "client",
            "for", "of", "a", "an", "the", "and", "with", "my", "our", "new", "http", "json", "command-line"}


def article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + ("es" if re.search(r"(s|x|ch|sh)$", word) else "s")


def domain_for(subject: Subject) -> Domain:
    text = f"{subject.topic} {subject.request}".lower()
    for pattern, domain in _DOMAINS:
        if re.search(pattern, text):
            return domain
    words = [w for w in re.findall(r"[a-z]+", subject.topic.lower()) if w not in _GENERIC and len(w) > 2]
    noun = words[-1] if words else "item"
    if noun.endswith("s") and not noun.endswith("ss") and len(noun) > 3:
        noun = noun[:-1]
    return Domain(noun.capitalize(), _plural(noun), "key", "name", f"First {noun}", "   ", "nonempty")


# --- per-language pieces -------------------------------------------------------------------------

def _valid(lang: str, d: Domain) -> str:
    v = d.value
    snippets = {
        "Go": {"url": f'return strings.HasPrefix({v}, "http://") || strings.HasPrefix({v}, "https://")',
               "email": f'user, host, ok := strings.Cut({v}, "@")\nreturn ok && user != "" && host != ""',
               "nonempty": f'return strings.TrimSpace({v}) != ""'},
        "Python": {"url": f'return {v}.startswith(("http://", "https://"))',
                   "email": f'user, _, host = {v}.partition("@")\nreturn bool(user and host)',
                   "nonempty": f"return bool({v}.strip())"},
        "Rust": {"url": f'{v}.starts_with("http://") || {v}.starts_with("https://")',
                 "email": f"matches!({v}.split_once('@'), Some((user, host)) if !user.is_empty() && !host.is_empty())",
                 "nonempty": f"!{v}.trim().is_empty()"},
        "TypeScript": {"url": f'return typeof {v} === "string" && /^https?:\\/\\/\\S+$/.test({v});',
                       "email": f'return typeof {v} === "string" && /^[^@\\s]+@[^@\\s]+$/.test({v});',
                       "nonempty": f'return typeof {v} === "string" && {v}.trim() !== "";'},
        "Java": {"url": f'return {v}.startsWith("http://") || {v}.startsWith("https://");',
                 "email": f'return {v}.matches("[^@\\\\s]+@[^@\\\\s]+");',
                 "nonempty": f"return !{v}.isBlank();"},
    }
    return snippets["TypeScript" if lang == "JavaScript" else lang][d.check]


def _newkey(lang: str, d: Domain) -> str:
    hashed = {  # Knuth's multiplicative hash: short codes that look random but never collide
        "Go": 'fmt.Sprintf("%08x", s.next*2654435761)',
        "Python": 'f"{self._next * 2654435761 % 2**32:08x}"',
        "Rust": 'format!("{:08x}", self.next.wrapping_mul(2654435761))',
        "TypeScript": '(Math.imul(this.next, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0")',
        "Java": 'String.format("%08x", n * 0x9E3779B1)',
    }
    counting = {"Go": "fmt.Sprint(s.next)", "Python": "str(self._next)", "Rust": "self.next.to_string()",
                "TypeScript": "String(this.next)", "Java": "Integer.toString(n)"}
    table = hashed if d.hashed else counting
    return table["TypeScript" if lang == "JavaScript" else lang]


def _go_name(word: str) -> str:
    return word.upper() if word in ("url", "id", "sku") else word.capitalize()


def placeholders(subject: Subject, d: Domain) -> dict[str, str]:
    lang = subject.language
    cap = _go_name if lang == "Go" else str.capitalize
    key, value = cap(d.key), cap(d.value)
    width = max(len(key), len(value))
    js = lang == "JavaScript"
    crate = re.sub(r"[^a-z0-9]+", "-", subject.topic.lower()).strip("-") or "demo"
    return {
        "title": subject.title, "Entity": d.entity, "entity": d.entity.lower(), "plural": d.plural,
        "key": d.key, "value": d.value, "Key": key, "Value": value, "GoKey": key.ljust(width),
        "GoValue": value.ljust(width), "sample": d.sample, "bad": d.bad, "crate": crate,
        "valid": _valid(lang, d), "newkey": _newkey(lang, d),
        "file": "server.mjs" if js else "server.ts", "testfile": "server.test.mjs" if js else "server.test.ts",
        "module": "./server.mjs" if js else "./server.js",
        "run": "node server.mjs" if js else "npx tsx server.ts",
        "test": "node --test" if js else "npx tsx --test server.test.ts",
    }


_MARK = re.compile(r"^@([+\-TJ]+)\|")
_SLOT = re.compile(r"\{\{(\w+)\}\}")
_TS_ONLY = re.compile(r"\[\[(.*?)\]\](?!\])")


def render(template: str, values: dict[str, str], *, revised: bool, lang: str) -> str:
    """Fill ``{{name}}`` slots and keep the lines whose ``@flags|`` markers hold."""
    held = {"+": revised, "-": not revised, "T": lang == "TypeScript", "J": lang == "JavaScript"}
    out: list[str] = []
    for line in template.splitlines():
        mark = _MARK.match(line)
        if mark:
            if not all(held[f] for f in mark.group(1)):
                continue
            line = line[mark.end():]
        indent = line[: len(line) - len(line.lstrip())]
        line = _SLOT.sub(lambda m: values[m.group(1)].replace("\n", "\n" + indent), line)
        if lang in ("TypeScript", "JavaScript"):  # "[[: T[]]]" holds ": T[]": the last "]]" closes
            line = _TS_ONLY.sub(r"\1" if lang == "TypeScript" else "", line)
        if lang == "Go":
            line = re.sub(r"(?m)^((?:    )+)", lambda m: "\t" * (len(m.group(1)) // 4), line)
        out.append(line)
    return "\n".join(out).rstrip() + "\n"


def code_kind(subject: Subject) -> str:
    """"service" (the templates above), a snippet kind ("palindrome", ...), or "migration"."""
    text = subject.request.lower()
    lang = "TypeScript" if subject.language == "JavaScript" else subject.language
    if re.search(r"migrat", text) and re.search(r"sqlite", text) and re.search(r"postgres", text):
        return "migration"
    for pattern, kind in SNIPPET_KINDS:
        if re.search(pattern, text) and lang in SNIPPETS[kind]:
            return kind
    return "service"


def _snippet_values(subject: Subject, kind: str) -> dict[str, str]:
    stem = {"sort": "mergeSort"}.get(kind, kind)
    ext = "mjs" if subject.language == "JavaScript" else "ts"
    return {"base": f"{stem}.{ext}", "testbase": f"{stem}.test.{ext}",
            "module": f"./{stem}.{'mjs' if ext == 'mjs' else 'js'}",
            "test": "node --test" if ext == "mjs" else "npx tsx --test"}


def write_code(subject: Subject, *, revised: bool) -> str:
    """Fenced code blocks (one per file), each tagged with the language."""
    kind = code_kind(subject)
    lang = subject.language
    if kind == "migration":
        files, values, lang = MIGRATION, {}, "Python"
    elif kind != "service":
        files = SNIPPETS[kind]["TypeScript" if lang == "JavaScript" else lang]
        values = _snippet_values(subject, kind)
    else:
        files, values = TEMPLATES[lang], placeholders(subject, domain_for(subject))
    fence = LANGUAGES[lang][0]
    blocks = [f"```{fence}\n{render(template, values, revised=revised, lang=lang)}```" for _name, template in files]
    return "\n\n".join(blocks)


# --- what a first draft gets wrong, and how the revision fixes it --------------------------------

_SNIPPET_FLAWS = {
    "palindrome": "Only letters and digits should count, but no test shows it: \"No 'x' in Nixon\" must be a "
                  "palindrome.",
    "fibonacci": "Out-of-range input is not tested: a negative n (or one that overflows) must fail loudly, "
                 "not return a wrong number.",
    "sort": "The edge cases are not tested: an empty list and a one-element list.",
    "words": "Apostrophes and case are untested: \"Don't\" and \"don't\" must count as one word.",
}


def defects(subject: Subject) -> list[str]:
    """Real flaws of the first draft, in the words a reviewer would use (most important first)."""
    kind = code_kind(subject)
    if kind == "migration":
        return ["SQLite's loose typing lets a TEXT value sit in an INTEGER column; the copy then fails "
                "mid-table. Cast or report such rows before inserting.",
                "After copying rows with explicit ids, PostgreSQL sequences are not advanced: the next "
                "INSERT without an id will collide.",
                "There is no dry run: add a flag that prints the CREATE statements and row counts only."]
    if kind != "service":
        return ["Edge cases are untested: the first draft only checks the happy path.", _SNIPPET_FLAWS[kind],
                "The usage line should say how to run the tests."]
    d = domain_for(subject)
    flaw = {
        "Go": f"`Store` is shared by concurrent handlers without a mutex: `go test -race` flags the map "
              f"writes in `Add`, and two requests can get the same {d.key}.",
        "Python": f"`ThreadingHTTPServer` runs handlers in threads but `Store.add` bumps the counter without a "
                  f"lock, so two requests can get the same {d.key}.",
        "Rust": "`main` indexes `args[0]`: running the tool with no arguments panics instead of printing usage.",
        "TypeScript": "`readBody` buffers the whole request body with no size limit: one huge POST can "
                      "exhaust memory.",
        "Java": f"`HashMap` and `next++` are shared across the 4-thread executor: concurrent POSTs can lose "
                f"writes or hand out the same {d.key}.",
    }["TypeScript" if subject.language == "JavaScript" else subject.language]
    bad = f"`{d.bad}`" if d.bad.strip() else f"a blank {d.value}"
    refusal = "an error" if subject.language == "Rust" else "a 400"
    return [
        f"No validation: creating {article(d.entity.lower())} with {bad} succeeds; {d.value_desc} is required "
        f"and anything else must get {refusal}.",
        f"No test covers the unhappy paths (an unknown {d.key}, an invalid {d.value}); only the happy path is tested.",
        flaw,
    ]


def minor_defects(subject: Subject) -> list[str]:
    """What a second review still finds once the first review's defects are fixed."""
    kind = code_kind(subject)
    if kind == "migration":
        return ["Exit with a non-zero status when any table fails, so a script calling it notices.",
                "Document the SQLite to PostgreSQL type mapping in the file header."]
    if kind != "service":
        return ["The doc comment should state the time and space complexity.",
                "One test name does not say what it checks; name tests after the behaviour."]
    d = domain_for(subject)
    return [f"Error bodies are inconsistent: the 404 for an unknown {d.key} should have the same shape as "
            "the 400s.",
            f"Document the {d.key} format and the error codes in the file header."]


_FIXES = [  # (what a defect line talks about, how the revision answers it); the first match wins
    (r"usage line|document|doc comment|header", "documented it in the header / doc comment"),
    (r"non-zero|exit", "exit with status 1 when any table fails"),
    (r"test name", "renamed the tests after the behaviour they check"),
    (r"^[^:]*\b(?:tests?|tested|untested)\b|unhappy|coverage", "added the missing tests, including the error cases"),
    (r"valid|blank|malformed|reject", "added a validity check; bad input is refused and never stored"),
    (r"mutex|lock|race|thread|concurren", "guarded the shared state (mutex / lock / concurrent map)"),
    (r"panic|args", "print usage and exit with status 2 when no arguments are given"),
    (r"size|memory|huge", "cap request bodies at 16 KiB and refuse larger ones"),
    (r"inconsisten|shape", "every error response now has the same shape"),
    (r"sequence", "advance each sequence to MAX(id) after copying"),
    (r"dry run", "added --dry-run"),
]


def fix_for(defect: str) -> str:
    """How the revision answers one defect line (matched by what it talks about)."""
    text = defect.lower()
    return next((fix for pattern, fix in _FIXES if re.search(pattern, text)), "handled it in this revision")
