"""The operations and support roles of the demo: tester, linter, security, deployer (often on an
event bus, reacting to ``hints["topic"]``), and the customer-facing billing / technical support /
escalation / triage agents.
"""

from __future__ import annotations

import re

from .demo_code import domain_for
from .demo_text import Ask, has_any, one_line

_FILES = {"Go": "main.go", "Python": "app.py", "Rust": "src/main.rs", "TypeScript": "server.ts",
          "JavaScript": "server.mjs", "Java": "{entity}Service.java"}


def _topic(ask: Ask) -> str:
    topic = str(ask.hints.get("topic") or "")
    return f" (on `{topic}`)" if topic else ""


def _source(ask: Ask) -> str:
    return _FILES[ask.subject.language].format(entity=domain_for(ask.subject).entity)


# What a change touches -> (tests worth writing, review findings as (severity, finding, fix)).
_CHANGE_KINDS = [
    (r"rate.?limit|throttl", [
        "the request over the limit inside the window gets 429 with a Retry-After header",
        "the counter resets once the window has passed",
        "limits are per client: one client at its limit does not block another",
        "regression: requests under the limit behave exactly as before",
    ], [
        ("high", "the limiter keys on X-Forwarded-For, which any client can set",
         "key on the socket address, trusting forwarded headers only from known proxies"),
        ("medium", "counters live in process memory: each worker has its own limit and a restart resets it",
         "keep the counters in a shared store (e.g. Redis) with an expiry per window"),
        ("low", "the 429 response has no Retry-After header", "send Retry-After with the seconds left"),
    ]),
    (r"login|auth|password|session|token", [
        "a wrong password gets 401 without revealing whether the account exists",
        "repeated failures lock the account for a while and log the event",
        "the session cookie is HttpOnly, Secure and SameSite",
        "regression: existing sessions stay valid after the deploy",
    ], [
        ("high", "unknown users are rejected faster than wrong passwords (timing leak)",
         "always run the password hash check, against a dummy hash if needed"),
        ("medium", "failed attempts are not logged", "log them with the client address, never the password"),
        ("low", "the error message differs between the two failure cases", "use one generic message"),
    ]),
]
_DEFAULT_CHANGE = ([
    "the main path of the change works end to end",
    "edge cases: empty, oversized and malformed input get clear errors",
    "the error path does not leave partial state behind",
    "regression: the existing suite still passes",
], [
    ("medium", "new input is used without validation", "validate at the boundary and reject with a clear error"),
    ("low", "the new function has no docstring", "add one line saying what it returns"),
])


def _change(ask: Ask) -> tuple[list[str], list[tuple[str, str, str]]]:
    text = ask.subject.request
    return next(((tests, found) for pattern, tests, found in _CHANGE_KINDS if re.search(pattern, text, re.I)),
                _DEFAULT_CHANGE)


def test_report(ask: Ask) -> str:
    topic = str(ask.hints.get("topic") or "")
    if "fail" in topic:
        return "\n".join([
            f"Investigating the failure reported on `{topic}`.", "",
            "1. Reproduced locally: the failing test depends on test order (shared state between cases).",
            "2. Fix: give each test its own fixture; no production code change needed.",
            "3. Re-ran the suite 20 times in random order: green every time.",
        ])
    r = ask.rng
    tests, _ = _change(ask)
    verdict = [_verdict_line(ask.instructions, "PASSED")] if _verdict_line(ask.instructions, "PASSED") else []
    unit, integ = r.randint(18, 40), r.randint(4, 12)
    return "\n".join([
        *verdict, f"Test plan for {ask.subject.topic}{_topic(ask)}:",
        *[f"{i}. {t[:1].upper() + t[1:]}" for i, t in enumerate(tests, 1)], "",
        f"Results: {unit} unit and {integ} integration tests passed, 0 failed; line coverage "
        f"{r.randint(78, 93)}% ({_source(ask)} lowest at {r.randint(65, 77)}%).",
        ask.pick(["Safe to deploy.", "Safe to deploy; one test is slow but stable."]),
    ])


def _verdict_line(instructions: str, outcome: str) -> str:
    """A verdict the instructions ask for verbatim, e.g. exactly "TESTS PASSED"."""
    found = re.search(rf'"([A-Z][A-Z ]*{outcome})"', instructions)
    return found.group(1) if found else ""


def lint_report(ask: Ask) -> str:
    _, found = _change(ask)
    r, src = ask.rng, _source(ask)
    lines = [f"Code review of {ask.subject.topic}{_topic(ask)}: {len(found)} findings", ""]
    for severity, finding, fix in found:
        lines += [f"- {severity}: {finding} ({src}:{r.randint(10, 90)})", f"  fix: {fix}"]
    return "\n".join(lines + ["", "Nothing else worth fixing in this change."])


def security_report(ask: Ask) -> str:
    d = domain_for(ask.subject)
    return "\n".join([
        f"Security scan for {ask.subject.topic}{_topic(ask)}: no critical or high findings.", "",
        f"- medium: no rate limit on creating {d.plural}; a script can fill memory quickly",
        f"- low: {d.key}s are {'unguessable' if d.hashed else 'sequential, so they reveal volume'}",
        "- info: dependencies: none outside the standard library (nothing to patch)",
        "", "Recommendation: add a per-client rate limit before exposing it publicly.",
    ])


def deploy_log(ask: Ask) -> str:
    r = ask.rng
    checked = ask.tool_result.strip().lower()
    if checked and "pass" not in checked:
        if "fail" in checked:
            why, first = "the tests failed", "fix the failing tests, push again, and let the pipeline re-run"
        else:
            why = f"the test result is unclear (shared memory says: {one_line(checked.strip('()'), 40)})"
            first = "the tester must record its verdict; then re-run the pipeline"
        return "\n".join([f"Not deploying {ask.subject.topic}: {why}.", "", f"What must happen first: {first}."])
    version = f"v0.{r.randint(1, 9)}.{r.randint(0, 20)}"
    topic = str(ask.hints.get("topic") or "")
    trigger = f"`{topic}` received" if topic else "deploy requested"
    gate = "shared memory says tests passed" if checked else trigger
    return "\n".join([
        f"Deploying {version}: {ask.subject.topic} ({gate})", "",
        f"[1/5] build artifact ............ ok ({r.randint(8, 40)} s)",
        "[2/5] run smoke tests ............ ok",
        f"[3/5] canary at 10% traffic ...... ok (error rate {r.randint(0, 3) / 10:.1f}%)",
        "[4/5] roll out to 100% ........... ok",
        f"[5/5] health checks ............. ok (p95 {r.randint(20, 90)} ms)", "",
        "Monitor for the next hour: error rate, p95 latency, and the rate of 4xx responses.",
        "Roll back: redeploy the previous release with one command if the error rate rises above 1%.",
    ])


# --- customer support ---------------------------------------------------------------------------


def _customer(ask: Ask) -> str:
    return one_line(ask.subject.request, 120)


def billing(ask: Ask) -> str:
    text = ask.subject.request
    if has_any(text, "refund", "charge", "twice", "double"):
        body = ["I can see the duplicate charge on your account. I have issued a refund for it; it will "
                "show up on your statement within 5-7 business days.",
                "You do not need to do anything else. I have also added a note so this cannot be charged again."]
    elif has_any(text, "invoice", "receipt"):
        body = ["I have re-sent your latest invoice to the email address on the account.",
                "If you need the company name or VAT number changed on it, reply with the details and I will "
                "issue a corrected copy."]
    else:
        body = ["I have checked your account: your plan and payment method are in good standing.",
                "If something on a statement looks wrong, tell me the date and amount and I will look at it."]
    return "\n".join([f"Hi, thanks for reaching out about: \"{_customer(ask)}\"", "", *body, "",
                      "Best regards,", "Billing team"])


def tech_support(ask: Ask) -> str:
    text = ask.subject.request
    if has_any(text, "login", "log in", "password", "sign in"):
        steps = ["Reset your password from the sign-in page (\"Forgot password\").",
                 "Clear the site's cookies, or try a private window.",
                 "If you use single sign-on, sign out of your identity provider and back in."]
    else:
        steps = ["Update to the latest version and restart the app.",
                 "Note the exact error message and the time it happened.",
                 "Try the same action in a private window / on another device to rule out local data."]
    return "\n".join([f"Hi, sorry about the trouble with: \"{_customer(ask)}\"", "", "Let's fix it:",
                      *[f"{i}. {s}" for i, s in enumerate(steps, 1)], "",
                      "If it still fails after step 3, reply with the error message and I will dig into the logs.",
                      "", "Technical support"])


def escalation(ask: Ask) -> str:
    ref = f"INC-{ask.rng.randint(1000, 9999)}"
    return "\n".join([
        f"This is now incident {ref}, handled with priority.", "",
        f"What we know: \"{_customer(ask)}\"",
        "- The on-call engineer is paged and investigating now.",
        "- Next update within 30 minutes, sooner if we find the cause.",
        "- If you have a workaround need in the meantime, reply here and we will prioritise it.", "",
        "Incident response",
    ])


def triage(ask: Ask) -> str:
    """Triage with no fitting transfer (or after getting the conversation back): answer directly."""
    return "\n".join([f"Thanks for your message: \"{_customer(ask)}\"", "",
                      "I can help with this directly. To point you the right way, could you tell me:",
                      "1. Is this about a payment or your account, or about the product not working?",
                      "2. When did it start, and is anyone else on your team affected?", "",
                      "Support triage"])
