"""Keyboard-only browsing in browser tests: where focus is, and Tab until it reaches something."""


def active_element(page):
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el) return "nothing";
          const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
          return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.name ? " name=" + el.name : ""}> ${text}`;
        }"""
    )


def tab_to(page, predicate_js, limit=80):
    """Press Tab until `predicate_js` (a JavaScript function of the focused element) is true; fail after `limit`."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return Boolean(el && ({predicate_js})(el)); }}"):
            return
        visited.append(active_element(page))
    raise AssertionError(
        f"No Tab stop matched {predicate_js} in {limit} presses. Focus went through:\n" + "\n".join(visited)
    )
