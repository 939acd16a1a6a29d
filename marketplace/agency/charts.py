"""Chart geometry for server-rendered SVG: no JavaScript, and each chart's numbers are also
printed as a table beside it (templates/agency/_charts.html draws both)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The SVG's own coordinate space: it scales to the page width, up to this many CSS pixels
#: (impact.css), so its 17-unit text is 17 px on a desktop and about 12 px on a phone.
WIDTH = 480
BAR_ROW = 52
COLUMN_HEIGHT = 200
PLOT_TOP = 30


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    #: Where the bar's label and value are written.
    label_y: float = 0
    value_x: float = 0
    css: str = ""


@dataclass
class Chart:
    key: str
    title: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    #: (x, text) labels under a column chart.
    ticks: list[tuple[float, str]] = field(default_factory=list)
    baseline_y: float = 0
    max_text: str = ""
    empty: bool = False


def bar_chart(key: str, title: str, rows: list[tuple[str, int, str]],
              classes: list[str] | None = None) -> Chart:
    """Horizontal bars, one per row of (label, value, value as text): readable on a phone,
    since each label sits above its bar."""
    top = max((value for _, value, _ in rows), default=0)
    chart = Chart(key, title, WIDTH, max(1, len(rows)) * BAR_ROW + 8, empty=top <= 0)
    for index, (label, value, text) in enumerate(rows):
        y = index * BAR_ROW
        width = 0.0 if top <= 0 else round((WIDTH - 4) * value / top, 1)
        chart.bars.append(Bar(label, text, 0, y + 24, max(width, 1.0 if value else 0.0), 18,
                              label_y=y + 18, value_x=WIDTH,
                              css=(classes[index] if classes else "")))
    return chart


def column_chart(key: str, title: str, rows: list[tuple[str, int, str]],
                 tick_every: int = 1, max_text: str = "") -> Chart:
    """Vertical columns over time, one per row of (label, value, value as text); only every
    ``tick_every``-th label is written under the axis."""
    top = max((value for _, value, _ in rows), default=0)
    height = COLUMN_HEIGHT + PLOT_TOP + 28
    chart = Chart(key, title, WIDTH, height, baseline_y=PLOT_TOP + COLUMN_HEIGHT,
                  max_text=max_text, empty=top <= 0)
    slot = WIDTH / max(1, len(rows))
    for index, (label, value, text) in enumerate(rows):
        bar_height = 0.0 if top <= 0 else round(COLUMN_HEIGHT * value / top, 1)
        x = round(index * slot + slot * 0.15, 1)
        chart.bars.append(Bar(label, text, x, PLOT_TOP + COLUMN_HEIGHT - bar_height,
                              round(slot * 0.7, 1), bar_height))
        if index % tick_every == 0:
            chart.ticks.append((x, label))  # written from the column's left edge
    return chart
