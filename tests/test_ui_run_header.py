"""The run header takes one line when everything fits its width, else two (who, then how it goes)."""

from __future__ import annotations

from teamtui.ui.app import build_app

from ui_scenes import NOW, software_house_start


async def header_lines(pilot) -> tuple[int, list[str]]:
    await pilot.pause()
    header = pilot.app.screen.header_bar
    lines = [strip.text.rstrip() for strip in pilot.app.screen._compositor.render_strips()][: header.outer_size.height]
    return header.outer_size.height, lines


async def test_one_line_when_it_fits_two_when_not_and_again_after_a_resize() -> None:
    handle, _ = software_house_start().handle()
    app = build_app(handle=handle, clock=lambda: NOW, animations=False)
    async with app.run_test(size=(120, 30)) as pilot:
        height, [line] = await header_lines(pilot)
        assert height == 1 and "software-house" in line and "tokens" in line
        await pilot.resize_terminal(70, 30)
        height, (who, how) = await header_lines(pilot)
        assert height == 2 and "software-house" in who and "tokens" in how and "tokens" not in who
        await pilot.resize_terminal(120, 30)
        height, [line] = await header_lines(pilot)
        assert height == 1 and "software-house" in line and "tokens" in line
