"""The editor's autosave: the text being typed, kept on the server apart from the post.

The editor's script sends the form here a few seconds after the author stops typing (and on
Ctrl/Cmd+S for a published post); the post itself changes only when the author saves. The
script also keeps the text in the browser's storage, for when the server cannot be reached.
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _

from .. import autosave, db
from ..models import utcnow
from ..sites import registry
from .desk import local, post_or_404

bp = Blueprint("autosave", __name__)


@bp.post("/posts/<int:post_id>/autosave")
def keep(post_id: int):
    """Keep the typed text as the author's autosave of the post; answer JSON."""
    post = post_or_404(post_id)
    try:
        values = autosave.clean(request.form, post.language, registry().languages)
    except autosave.AutosaveRefused as error:
        return {"saved": False, "message": str(error)}, 422
    session = db.session()
    revision = autosave.keep(session, post, g.user, values, utcnow())
    session.commit()
    when = format_time(local(revision.saved_at), "short", rebase=False)
    return {
        "saved": True,
        "saved_at": revision.saved_at.isoformat(),
        "message": _("Autosaved at %(time)s.", time=when),
    }


@bp.post("/posts/<int:post_id>/autosave/discard")
def discard(post_id: int):
    """Drop the author's autosave of the post, keeping the post as saved."""
    post = post_or_404(post_id)
    session = db.session()
    autosave.discard(session, post, g.user)
    session.commit()
    return redirect(url_for("admin.posts.edit", post_id=post.id))
