"""Candlestick PNGs for ``hoga chart --png``: mplfinance on matplotlib's Agg backend.

mplfinance and matplotlib are the optional ``charts`` extra (``pip install 'hoga[charts]'``;
``make`` installs it with ``dev``). :func:`render_png` draws candles with a volume panel and
writes what was plotted into the PNG's text chunks: ``hoga:bars`` (the candle bodies counted in
the figure), ``hoga:first`` and ``hoga:last`` (the first and last bar), so a reader of the file
can check the range drawn.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hoga.client import Bar

__all__ = ["ChartsMissingError", "PlotSummary", "render_png"]


class ChartsMissingError(RuntimeError):
    """mplfinance / matplotlib are not installed."""


@dataclass(frozen=True, slots=True)
class PlotSummary:
    """What was drawn: the file, its pixel size, the candle count and the first/last bar time."""

    path: str
    width: int
    height: int
    bars: int
    first: str
    last: str


def _label(bar: Bar, intraday: bool) -> str:
    return bar.at.isoformat() if intraday else bar.date.isoformat()


def render_png(
    bars: Sequence[Bar], path: Path, *, title: str, intraday: bool = False, dpi: int = 100
) -> PlotSummary:
    """Draw ``bars`` (oldest first, at least one) as candles over volume into ``path``."""
    if not bars:
        raise ValueError("no bars to plot")
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import mplfinance as mpf
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ChartsMissingError(
            "charts need mplfinance and matplotlib: pip install 'hoga[charts]'"
        ) from exc
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    index = pd.DatetimeIndex([b.at.replace(tzinfo=None) for b in bars], name="Date")
    frame = pd.DataFrame(
        {
            "Open": [b.open for b in bars],
            "High": [b.high for b in bars],
            "Low": [b.low for b in bars],
            "Close": [b.close for b in bars],
            "Volume": [b.volume for b in bars],
        },
        index=index,
        dtype="float64",
    )
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    # Korean convention: rising candles red, falling blue.
    colours = mpf.make_marketcolors(up="red", down="blue", inherit=True)
    style = mpf.make_mpf_style(base_mpf_style="yahoo", marketcolors=colours)
    fig, axes = mpf.plot(
        frame, type="candle", volume=True, style=style, title=title, returnfig=True
    )
    try:
        bodies = [c for c in axes[0].collections if isinstance(c, PolyCollection)]
        drawn = sum(len(c.get_paths()) for c in bodies)
        first = _label(bars[0], intraday)
        last = _label(bars[-1], intraday)
        meta = {"hoga:bars": str(drawn), "hoga:first": first, "hoga:last": last, "Title": title}
        fig.savefig(path, dpi=dpi, metadata=meta)
    finally:
        plt.close(fig)
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
    return PlotSummary(str(path), width, height, drawn, first, last)
