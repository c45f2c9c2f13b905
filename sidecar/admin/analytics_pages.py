"""The analytics page (placeholder until services/analytics.py lands)."""
from __future__ import annotations

from sidecar.admin.console import blueprint, render_page


@blueprint.get("/")
def analytics():
    """The landing page."""
    return render_page("error.html", title="Analytics", message="coming")
