"""Geometry of the dashboard's charts, drawn by the templates as inline SVG (no JavaScript, no CDN).

Lengths along the value axis are percentages of the chart's width, so a chart fills any screen and
its text keeps its size (a scaled viewBox would shrink the labels to nothing on a phone). Heights
are pixels. Every number is pre-formatted here, so the template never localises a coordinate.
"""

from dataclasses import dataclass

# Horizontal bars: a label line, then the bar, per row.
ROW_HEIGHT = 46
LABEL_BASELINE = 16  # within the row
BAR_TOP = 23
BAR_HEIGHT = 14
# The bars use this share of the width; the value is written right-aligned in the rest.
BAR_TRACK_PERCENT = 84.0

# Columns: values above, labels below.
COLUMN_PLOT_HEIGHT = 150
COLUMN_TOP = 22  # room for the value written above the tallest column
COLUMN_LABEL_ROOM = 26


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


# Longer labels are cut to fit a phone's width (the full label is the bar's tooltip and in the table).
LABEL_MAX_CHARS = 20


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    text: str  # the value as written beside the bar ("75%", "12")
    width: str  # of the bar, "63.2%"
    label_y: int
    bar_y: int
    value_y: int


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    track_width: str = f"{_number(BAR_TRACK_PERCENT)}%"
    bar_height: int = BAR_HEIGHT


def bar_chart(items: list[tuple[str, float, str]], *, maximum: float | None = None) -> BarChart:
    """Horizontal bars of (label, value, text); the longest bar is `maximum` (default: the largest value)."""
    top = maximum if maximum is not None else max((value for _label, value, _text in items), default=0)
    bars = []
    for index, (label, value, text) in enumerate(items):
        y = index * ROW_HEIGHT
        share = (value / top) if top else 0
        bars.append(
            Bar(
                label=label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…",
                full_label=label,
                text=text,
                width=f"{_number(max(0.0, min(1.0, share)) * BAR_TRACK_PERCENT)}%",
                label_y=y + LABEL_BASELINE,
                bar_y=y + BAR_TOP,
                value_y=y + BAR_TOP + BAR_HEIGHT - 2,
            )
        )
    return BarChart(bars=bars, height=max(len(bars), 1) * ROW_HEIGHT)


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    x: str  # left edge, "8.33%"
    center: str  # "12.5%"
    width: str
    y: int
    height: int
    value_y: int
    label_y: int
    alternate: bool  # every other label, hidden on a narrow screen


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    height: int
    baseline: int


def column_chart(items: list[tuple[str, int]]) -> ColumnChart:
    """Vertical columns of (label, value), spread over the full width."""
    count = max(len(items), 1)
    slot = 100 / count
    top = max((value for _label, value in items), default=0)
    baseline = COLUMN_TOP + COLUMN_PLOT_HEIGHT
    columns = []
    for index, (label, value) in enumerate(items):
        height = round(COLUMN_PLOT_HEIGHT * value / top) if top else 0
        if value and height < 2:
            height = 2  # a non-zero value stays visible
        columns.append(
            Column(
                label=label,
                value=value,
                x=f"{_number(index * slot + slot * 0.15)}%",
                center=f"{_number(index * slot + slot / 2)}%",
                width=f"{_number(slot * 0.7)}%",
                y=baseline - height,
                height=height,
                value_y=baseline - height - 6,
                label_y=baseline + 18,
                alternate=(len(items) - 1 - index) % 2 == 1,  # the latest label always shows
            )
        )
    return ColumnChart(columns=columns, height=baseline + COLUMN_LABEL_ROOM, baseline=baseline)
