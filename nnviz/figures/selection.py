"""Reading a chart click back: the ``customdata`` of a selected Plotly point, whatever its wire format.

``st.plotly_chart(on_select="rerun")`` reports each clicked point as a dict.  Its
``customdata`` is a list when the figure sent a list, but when the figure sent a
NumPy array (Plotly encodes it as a typed array) a row comes back as an object
keyed "0", "1", ... -- measured with Streamlit 1.67 in Chromium.  Both mean the same.
"""

from __future__ import annotations

from typing import Any

__all__ = ["point_customdata"]


def point_customdata(point: dict[str, Any]) -> list[Any]:
    """The clicked point's ``customdata`` as a list ([] when it has none).

    >>> point_customdata({"customdata": {"1": 9, "0": 4}})
    [4, 9]
    >>> point_customdata({"customdata": [4, 9]})
    [4, 9]
    """
    custom = point.get("customdata") if isinstance(point, dict) else None
    if custom is None:
        return []
    if isinstance(custom, dict):
        try:
            return [custom[k] for k in sorted(custom, key=int)]
        except (TypeError, ValueError):
            return []
    if isinstance(custom, list | tuple):
        return list(custom)
    return [custom]
