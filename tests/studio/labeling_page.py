"""Label Studio's labeling page driven the way an annotator drives it: a real Chromium (Debian's,
never a Playwright download), the login form, labels picked by their buttons, spans selected by
dragging the mouse over the words, choices ticked, ids typed, relations drawn with Alt+R, and
the Submit button.

Only reading the page's layout happens in JavaScript (where on the screen the characters of a
span are); everything that changes the annotation is a mouse or keyboard event.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# headless, as root, offline: no GPU, no sandbox, nothing fetched in the background
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-sync",
    "--metrics-recording-only",
    "--no-first-run",
    "--log-level=3",
)
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 20_000
HOVER_MS = 250

# Where the characters of the nth occurrence of `needle` in the text are on the screen: the
# page's text nodes are joined (the page shows each line of the document as its own element, so
# a needle never spans a line break) and the first and last character measured with a Range.
_SPAN_ON_SCREEN = """([needle, nth]) => {
  const root = document.querySelector('.lsf-htx-richtext');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = []; let all = '';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    nodes.push([n, all.length]);
    all += n.data;
  }
  let at = -1;
  for (let i = 0; i <= nth; i++) { at = all.indexOf(needle, at + 1); if (at < 0) return null; }
  const place = (pos, isEnd) => {
    for (const [n, off] of nodes) {
      const end = off + n.data.length;
      if (pos >= off && (isEnd ? pos <= end && pos > off : pos < end)) return [n, pos - off];
    }
    return null;
  };
  const [startNode, startOffset] = place(at, false);
  const [endNode, endOffset] = place(at + needle.length, true);
  startNode.parentElement.scrollIntoView({block: 'center'});  // as a person scrolls to it
  const width = (s) => (s.length > 1 && /[\\ud800-\\udbff]/.test(s[0]) ? 2 : 1);
  const first = document.createRange();
  first.setStart(startNode, startOffset);
  first.setEnd(startNode, startOffset + width(needle.slice(0, 2)));
  const last = document.createRange();
  last.setStart(endNode, endOffset - width(needle.slice(-2).replace(/^[^\\ud800-\\udbff]/, '')));
  last.setEnd(endNode, endOffset);
  const a = first.getClientRects()[0], b = [...last.getClientRects()].pop();
  return {x0: a.left, y0: a.top + a.height / 2, x1: b.right, y1: b.top + b.height / 2,
          h: a.height};
}"""


@dataclass(frozen=True)
class Login:
    url: str
    email: str
    password: str


class LabelingPage:
    """One labeling page of one task, and the annotator's actions on it."""

    def __init__(self, page: Any, login: Login) -> None:
        self.page = page
        self.login = login
        page.set_default_timeout(TIMEOUT_MS)

    # ---------------------------------------------------------------- getting there

    def sign_in(self) -> None:
        page = self.page
        page.goto(f"{self.login.url}/user/login/")
        page.fill("input[name=email]", self.login.email)
        page.fill("input[name=password]", self.login.password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/user/login" not in url)

    def open_task(self, project: int, task: int) -> None:
        self.page.goto(f"{self.login.url}/projects/{project}/data?task={task}")
        self.page.wait_for_selector(".lsf-htx-richtext")

    # ---------------------------------------------------------------- regions

    @property
    def regions(self) -> Any:
        return self.page.locator(".lsf-outliner-item")

    def region(self, label: str, text: str) -> Any:
        """The outliner row of the region with this label whose text starts with ``text``."""
        return self.regions.filter(has_text=label).filter(has_text=text).first

    def pick_label(self, label: str) -> None:
        """Click a label button and wait until it is the selected one."""
        button = self.label_button(label)
        if "lsf-label_selected" not in (button.get_attribute("class") or ""):
            button.click()
        self.page.locator(".lsf-label_selected").filter(has=self.label_text(label)).wait_for()

    def label_text(self, label: str) -> Any:
        return self.page.locator(".lsf-label__text").get_by_text(label, exact=True)

    def label_button(self, label: str) -> Any:
        return self.page.locator(".lsf-label").filter(has=self.label_text(label)).first

    def select_text(self, needle: str, nth: int = 0) -> None:
        """Drag the mouse from the first character of ``needle`` to its last, as a person
        selects a span (press left of the first character, release right of the last)."""
        box = self.page.evaluate(_SPAN_ON_SCREEN, [needle, nth])
        assert box is not None, f"{needle!r} (occurrence {nth}) is not on the page"
        mouse = self.page.mouse
        mouse.move(box["x0"] + 1, box["y0"], steps=5)
        # A person's pointer rests on the text before pressing. Pressed within ~100 ms of
        # arriving over an existing region, Label Studio 1.23.2 makes a region without a label.
        self.page.wait_for_timeout(HOVER_MS)
        mouse.down()
        mouse.move((box["x0"] + box["x1"]) / 2, (box["y0"] + box["y1"]) / 2, steps=4)
        mouse.move(box["x1"] - 1, box["y1"], steps=4)
        mouse.up()

    def label_span(self, label: str, needle: str, nth: int = 0) -> None:
        """Pick ``label``, drag over ``needle``; wait for the new region in the outliner."""
        before = self.regions.count()
        self.pick_label(label)
        self.select_text(needle, nth)
        self.regions.nth(before).wait_for()
        newest = self.regions.nth(before)
        assert label in newest.inner_text(), (
            f"the region drawn over {needle!r} is labelled {newest.inner_text()!r}, not {label}"
        )
        self.unselect()

    def unselect(self) -> None:
        """Escape: no region selected, no label active (what an annotator does between spans)."""
        self.page.keyboard.press("Escape")
        for selected in self.page.locator(".lsf-label_selected").all():
            selected.click()

    def select_region(self, label: str, text: str) -> None:
        """Click the region's row in the outliner; wait until that row is the selected one
        (the fields below the text then belong to it, not to the region selected before)."""
        self.region(label, text).click()
        row = self.page.locator(".lsf-outliner-item", has_text=text).filter(has_text=label)
        self.page.locator(".lsf-tree-treenode-selected").filter(has=row).first.wait_for()

    def choose(self, value: str, index: int | None = None) -> None:
        """Tick a per-region choice shown for the selected region; ``index`` picks one of several
        controls that offer the same value (yes/no), in the config's order, else it must be the
        only one shown."""
        boxes = self.page.locator(f"input[type=checkbox][name='{value}']").locator("visible=true")
        (boxes if index is None else boxes.nth(index)).check()

    def field_shown(self, placeholder: str) -> bool:
        return self.page.get_by_placeholder(placeholder).is_visible()

    def type_into(self, placeholder: str, value: str) -> None:
        """Type a per-region text (an id) and press Enter, which stores it on the region."""
        field = self.page.get_by_placeholder(placeholder).locator("visible=true")
        field.fill(value)
        field.press("Enter")
        self.page.locator(".lsf-text-area", has_text=value).locator("visible=true").first.wait_for()

    def relate(self, source: tuple[str, str], target_text: str) -> None:
        """Draw a relation: select the source region (label, text) in the outliner, Alt+R,
        click the target region's text on the page (the innermost region under the pointer)."""
        self.select_region(*source)
        self.page.keyboard.press("Alt+r")
        self.click_text(target_text)
        self.page.keyboard.press("Escape")

    def click_text(self, needle: str, nth: int = 0) -> None:
        box = self.page.evaluate(_SPAN_ON_SCREEN, [needle, nth])
        assert box is not None, f"{needle!r} (occurrence {nth}) is not on the page"
        self.page.mouse.move(box["x0"] + 2, box["y0"], steps=5)
        self.page.wait_for_timeout(HOVER_MS)
        self.page.mouse.click(box["x0"] + 2, box["y0"])

    def relations(self) -> list[str]:
        """The relations panel's rows, each as its text (from label, to label)."""
        self.page.locator(".lsf-panel-tabs__tab", has_text="Relations").first.click()
        rows = self.page.locator(".lsf-relations__item")
        texts = [" ".join(row.inner_text().split()) for row in rows.all()]
        self.page.locator(".lsf-panel-tabs__tab", has_text="Regions").first.click()
        return texts

    def move_end(self, needle: str, nth: int = 0) -> None:
        """Drag the selected region's right handle to the end of ``needle`` (its new text)."""
        handle = self.page.locator(".htx-highlight.__active area.__resize_right").first
        start = handle.bounding_box()
        box = self.page.evaluate(_SPAN_ON_SCREEN, [needle, nth])
        assert start is not None and box is not None, f"no handle, or {needle!r} not on the page"
        mouse = self.page.mouse
        mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2, steps=5)
        self.page.wait_for_timeout(HOVER_MS)
        mouse.down()
        mouse.move(box["x1"] - 1, box["y1"], steps=8)
        mouse.up()

    def delete_selected(self) -> None:
        """Delete the selected region with the Info panel's delete button."""
        before = self.regions.count()
        self.page.get_by_role("button", name="Delete").first.click()
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while self.regions.count() != before - 1:
            assert time.monotonic() < deadline, "the region was not deleted"
            self.page.wait_for_timeout(100)

    def submit(self) -> None:
        self.page.get_by_role("button", name="Submit").click()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright; a clear failure if it is not installed."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium "
            "(apt-get install chromium); Playwright's own browser download is never used",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def screenshot_on_failure(page: Any, folder: Path, name: str) -> Iterator[None]:
    """Any failure inside leaves a screenshot of the page, its path in the failure message."""
    try:
        yield
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        path = folder / f"{name}-failure.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            where = f"screenshot of the page: {path}"
        except Exception as shot:  # the page itself may be gone
            where = f"no screenshot ({type(shot).__name__}: {shot})"
        raise AssertionError(f"{type(exc).__name__}: {exc}\n{where}") from exc
