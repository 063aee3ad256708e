"""Small formatting helpers shared by the widgets (glyphs, durations, token counts)."""

from __future__ import annotations

from teamtui.core import events as ev

from . import state as st

#: Glyph and style for every step status.
STEP_STYLE: dict[str, tuple[str, str]] = {
    ev.PENDING: ("○", "dim"),
    ev.RUNNING: ("◐", "bold cyan"),
    ev.DONE: ("✔", "green"),
    ev.FAILED: ("✖", "bold red"),
    ev.INTERRUPTED: ("◼", "yellow"),
    ev.SKIPPED: ("↷", "dim"),
}

#: Glyph and style for every agent status.
AGENT_STYLE: dict[str, tuple[str, str]] = {
    st.IDLE: ("○", "dim"),
    st.THINKING: ("◔", "cyan"),
    st.STREAMING: ("◐", "bold cyan"),
    st.WAITING: ("◷", "yellow"),
    st.AGENT_DONE: ("✔", "green"),
    st.AGENT_FAILED: ("✖", "bold red"),
    st.AGENT_STOPPED: ("◼", "yellow"),
}

#: Glyph and style for every run status.
RUN_STYLE: dict[str, tuple[str, str]] = {
    st.STARTING: ("…", "dim"),
    ev.RUN_RUNNING: ("●", "bold green"),
    ev.RUN_PAUSED: ("‖", "bold yellow"),
    ev.RUN_DONE: ("✔", "bold green"),
    ev.RUN_FAILED: ("✖", "bold red"),
    ev.RUN_STOPPED: ("◼", "bold yellow"),
}


def duration(seconds: float) -> str:
    """00:42, 12:05 or 1:02:03."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def tokens(count: int) -> str:
    """980, 12.3k, 4.1M."""
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.1f}M"


def cost(usd: float) -> str:
    return f"${usd:.4f}" if usd < 1 else f"${usd:.2f}"
