"""Rich styles from a widget's component classes, and its own base style, looked up once per
style change: line-API widgets ask for them for every line they draw."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.style import Style


class ComponentStyles:
    """Mixin for a line-API widget, listed before its Textual base (Textual takes CSS from
    the first widget class among the bases, so the mixin is not one): `_style(name)` is the
    rich style of the component class `<STYLE_PREFIX>--<name>`, or none for an undeclared
    name."""

    STYLE_PREFIX: ClassVar[str] = ""
    COMPONENT_CLASSES: ClassVar[set[str]] = set()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # passes can_focus and the like to the widget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._styles: dict[str, Style] = {}
        self._base: Style | None = None

    def notify_style_update(self) -> None:
        super().notify_style_update()  # type: ignore[misc]  # a mixin: the widget has it
        self._styles.clear()
        self._base = None

    @property
    def base_style(self) -> Style:
        """The widget's `rich_style`, which walks every ancestor's styles: computed for each
        line it cost a third of a page-down's frame. Textual restyles a node and all its
        descendants on any change (a class, focus, the theme), which clears this."""
        if self._base is None:
            self._base = self.rich_style  # type: ignore[attr-defined]  # the widget's
        return self._base

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            component = f"{self.STYLE_PREFIX}--{name}"
            known = component in self.COMPONENT_CLASSES
            style = self.get_component_rich_style(component) if known else Style()  # type: ignore[attr-defined]  # the widget's
            self._styles[name] = style
        return style
