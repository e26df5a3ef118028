"""Trend charts as inline SVG, made on the server: no library, no script.

A chart shows one 0..10 value per day (the day's most concerning value, as the
rules read it) over the summary's window, and a row of markers under it for the
days with signs of use, missed medication, and an overdose or naloxone given.

Accessibility and print:
- the <svg> has role="img" and aria-labelledby pointing at its <title> and at a
  sentence that states the trend in words (`words`), which the page shows too;
- colour is never the only cue: each marker row has its own shape and a label;
- colours are SVG presentation attributes (fill=, stroke=), never style=, because
  the Content-Security-Policy allows no inline styles; they are dark enough to
  print in black and white.
Pure functions of plain data: no Flask, no database.
"""
import re
from dataclasses import dataclass
from fractions import Fraction
from html import escape

from .dates import day_words
from .signals import THRESHOLDS, join_words
from .vocabulary import SCALE_MAX, _l
from .words import gettext, ngettext

# Sized to stay legible on a 360px phone and at half a printed page (two charts side by side).
WIDTH = 480
LEFT = 92  # room for the marker rows' labels
RIGHT = 22
TOP = 20
PLOT_HEIGHT = 110
AXIS_LABELS_Y = TOP + PLOT_HEIGHT + 18
MARKER_ROW_HEIGHT = 19
FONT = 'font-family="system-ui, sans-serif"'

INK = "#1b1f24"
MUTED = "#4a5561"
GRID = "#c9d2dc"
LINE = "#1f5f8b"

#: (key, label in the chart, shape, colour); the description's words are in _marked_on
MARKERS = (
    ("use", _l("Use"), "triangle", "#a4161a"),
    # TRANSLATORS: a row label beside the chart, about 12 characters at most.
    ("missed", _l("Med. missed"), "square", "#8a4b00"),
    ("overdose", _l("Overdose"), "diamond", "#1b1f24"),
)


@dataclass(frozen=True)
class Chart:
    id: str
    svg: str  # markup, safe to insert as is (every text in it is escaped)
    words: str  # the trend in one or two sentences: the text alternative


# The direction compares the last 3 values with the 7 before them, as the
# cravings-rising rule compares its days (each mean needs at least 2 values).
RECENT = THRESHOLDS["cravings-rising"]["days"]
BEFORE = THRESHOLDS["cravings-rising"]["before_days"]
MIN_BEFORE = THRESHOLDS["cravings-rising"]["min_values"]
STEADY_WITHIN = 1  # means less than 1 point apart read "steady"
MAX_PEAK_DAYS = 3  # more days at the highest value are counted, not listed


def _mean_words(values):
    mean = Fraction(sum(values), len(values))
    return str(mean.numerator) if mean.denominator == 1 else f"{float(mean):.1f}"


def direction(values):
    """'rising', 'falling' or 'steady' for the values oldest first, or None when there are
    too few: the mean of the last 3 against the mean of the (up to) 7 before them."""
    recent, before = values[-RECENT:], values[-RECENT - BEFORE:-RECENT]
    if len(recent) < RECENT or len(before) < MIN_BEFORE:
        return None
    change = Fraction(sum(recent), len(recent)) - Fraction(sum(before), len(before))
    if abs(change) < STEADY_WITHIN:
        return "steady"
    return "rising" if change > 0 else "falling"


def describe(name, points):
    """The trend in words: its direction lately, and the highest value with its days.

    'Craving: 12 values from Nov 9 to Nov 20, rising lately: the last 3 values average 8,
    the 7 before them 4.3. Highest 9, on Nov 18; lowest 2.' With fewer values than a
    direction needs, every value is listed. `points` is [(date, value or None)] oldest first."""
    values = [(d, v) for d, v in points if v is not None]
    if not values:
        # The English is the same for one and many; other languages may need the forms.
        return ngettext("%(name)s: no values in these %(num)d days.",
                        "%(name)s: no values in these %(num)d days.", len(points), name=name)
    numbers = [v for _, v in values]
    way = direction(numbers)
    if way is None:
        listed = join_words(gettext("%(value)s on %(days)s", value=v, days=day_words(d)) for d, v in values)
        if len(values) == 1:
            return gettext("%(name)s: 1 value, %(values)s.", name=name, values=listed)
        return gettext("%(name)s: %(num)d values (%(values)s), too few to tell a direction.",
                       name=name, num=len(values), values=listed)
    before = numbers[-RECENT - BEFORE:-RECENT]
    highest = max(numbers)
    peaks = [d for d, v in values if v == highest]
    on = (join_words(day_words(d) for d in peaks) if len(peaks) <= MAX_PEAK_DAYS
          else gettext("%(num)d days (the last %(day)s)", num=len(peaks), day=day_words(peaks[-1])))
    v = {"name": name, "num": len(values), "first": day_words(values[0][0]),
         "last": day_words(values[-1][0]), "recent": RECENT, "recent_mean": _mean_words(numbers[-RECENT:]),
         "before": len(before), "before_mean": _mean_words(before), "highest": highest, "on": on,
         "lowest": min(numbers)}
    if way == "rising":
        return gettext("%(name)s: %(num)d values from %(first)s to %(last)s, rising lately: the last "
                       "%(recent)d values average %(recent_mean)s, the %(before)d before them "
                       "%(before_mean)s. Highest %(highest)d, on %(on)s; lowest %(lowest)d.", **v)
    if way == "falling":
        return gettext("%(name)s: %(num)d values from %(first)s to %(last)s, falling lately: the last "
                       "%(recent)d values average %(recent_mean)s, the %(before)d before them "
                       "%(before_mean)s. Highest %(highest)d, on %(on)s; lowest %(lowest)d.", **v)
    return gettext("%(name)s: %(num)d values from %(first)s to %(last)s, steady lately: the last "
                   "%(recent)d values average %(recent_mean)s, the %(before)d before them "
                   "%(before_mean)s. Highest %(highest)d, on %(on)s; lowest %(lowest)d.", **v)


def _marked_on(key, days):
    if key == "use":
        return gettext("signs of use on %(days)s", days=days)
    if key == "missed":
        return gettext("medication missed on %(days)s", days=days)
    return gettext("an overdose or naloxone given on %(days)s", days=days)


def describe_markers(markers):
    """'Marked: signs of use on Nov 12 and Nov 18; medication missed on Nov 15.'"""
    parts = []
    for key, *_ in MARKERS:
        days = sorted(markers.get(key, ()))
        if days:
            parts.append(_marked_on(key, join_words(day_words(d) for d in days)))
    if not parts:
        return gettext("No day with signs of use, missed medication, or an overdose or naloxone.")
    return gettext("Marked: %(marks)s.", marks="; ".join(parts))


def _num(x):
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _shape(shape, x, y, colour, size=6):
    if shape == "triangle":
        points = f"{_num(x)},{_num(y - size)} {_num(x + size)},{_num(y + size)} {_num(x - size)},{_num(y + size)}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "square":
        s = size * 0.85
        return (f'<rect x="{_num(x - s)}" y="{_num(y - s)}" width="{_num(2 * s)}" height="{_num(2 * s)}" '
                f'fill="{colour}"/>')
    points = (f"{_num(x)},{_num(y - size)} {_num(x + size)},{_num(y)} "
              f"{_num(x)},{_num(y + size)} {_num(x - size)},{_num(y)}")
    return f'<polygon points="{points}" fill="{colour}"/>'


def _label_every(n):
    """Label every day of a week, every other day of two weeks, every fifth day otherwise."""
    if n <= 7:
        return 1
    if n <= 14:
        return 2
    return 5


def trend_chart(chart_id, name, points, markers):
    """A Chart for `points` [(date, 0..10 or None)], oldest first, one per day of the
    window, and `markers` {"use" | "missed" | "overdose": [dates]}."""
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,40}", chart_id):
        raise ValueError("chart ids are short lowercase words")
    n = max(1, len(points))
    plot_width = WIDTH - LEFT - RIGHT
    step = plot_width / n
    bottom = TOP + PLOT_HEIGHT
    height = AXIS_LABELS_Y + 8 + MARKER_ROW_HEIGHT * len(MARKERS) + 4

    def x_of(i):
        return LEFT + (i + 0.5) * step

    def y_of(v):
        return bottom - PLOT_HEIGHT * v / SCALE_MAX

    first, last = (points[0][0], points[-1][0]) if points else (None, None)
    title = (gettext("%(name)s, 0 to 10, by day, %(first)s to %(last)s", name=name,
                     first=day_words(first), last=day_words(last)) if first
             else gettext("%(name)s, 0 to 10, by day", name=name))
    words = describe(name, points) + " " + describe_markers(markers)
    title_id, words_id = f"chart-{chart_id}-title", f"chart-{chart_id}-words"
    out = [
        (f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
         f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{title_id} {words_id}">'),
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc>{escape(words)}</desc>',
    ]
    # The scale: lines at 0, 5 and 10.
    for v in (0, 5, 10):
        y = _num(y_of(v))
        out.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 8}" y="{_num(y_of(v) + 4)}" text-anchor="end" font-size="14" '
                   f'fill="{MUTED}" {FONT}>{v}</text>')
    out.append(f'<text x="4" y="{_num(TOP + PLOT_HEIGHT / 2 + 5)}" font-size="15" '
               f'font-weight="700" fill="{INK}" {FONT}>{escape(name)}</text>')
    # Marker days: a dashed guide through the plot, so a marker lines up with its day.
    marked = {d for key in markers for d in markers[key]}
    for i, (d, _) in enumerate(points):
        if d in marked:
            x = _num(x_of(i))
            out.append(f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{bottom}" stroke="{MUTED}" '
                       f'stroke-width="1" stroke-dasharray="3 3"/>')
    # The line: runs of consecutive days with a value; a day without one leaves a gap.
    run = []
    runs = [run]
    for i, (_, v) in enumerate(points):
        if v is None:
            run = []
            runs.append(run)
        else:
            run.append(f"{_num(x_of(i))},{_num(y_of(v))}")
    for r in runs:
        if len(r) > 1:
            out.append(f'<polyline points="{" ".join(r)}" fill="none" stroke="{LINE}" stroke-width="2.5" '
                       f'stroke-linejoin="round"/>')
    show_values = n <= 14
    for i, (_, v) in enumerate(points):
        if v is None:
            continue
        x, y = x_of(i), y_of(v)
        out.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{LINE}" stroke="#ffffff" stroke-width="1"/>')
        if show_values:
            out.append(f'<text x="{_num(x)}" y="{_num(y - 8)}" text-anchor="middle" font-size="13" '
                       f'font-weight="600" fill="{INK}" {FONT}>{v}</text>')
    # Day labels.
    every = _label_every(n)
    for i, (d, _) in enumerate(points):
        if (n - 1 - i) % every == 0:  # always label the last day (today)
            out.append(f'<text x="{_num(x_of(i))}" y="{AXIS_LABELS_Y}" text-anchor="middle" font-size="13" '
                       f'fill="{MUTED}" {FONT}>{escape(day_words(d))}</text>')
    # Marker rows: one shape per kind, each row labelled.
    index = {d: i for i, (d, _) in enumerate(points)}
    for row, (key, label, shape, colour) in enumerate(MARKERS):
        y = AXIS_LABELS_Y + 8 + MARKER_ROW_HEIGHT * row + MARKER_ROW_HEIGHT / 2
        out.append(f'<text x="{LEFT - 8}" y="{_num(y + 4)}" text-anchor="end" font-size="13" '
                   f'fill="{INK}" {FONT}>{escape(str(label))}</text>')
        for d in sorted(markers.get(key, ())):
            if d in index:
                out.append(_shape(shape, x_of(index[d]), y, colour))
    out.append("</svg>")
    return Chart(id=chart_id, svg="".join(out), words=words)
