"""500 comments sent at once from two processes: none lost, every count exact."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from blog.comments.models import Comment, CommentStatus

from .helpers import BLOG, ROOT, SITES_FILE
from .test_comments import approved, post_address

PER_PROCESS = 250
SENDER = """
import json, sys
from datetime import datetime, timedelta
from blog import create_app
from blog.comments.service import form_token
args = json.loads(sys.argv[1])
app = create_app({"DATABASE_URL": args["url"], "SITES_FILE": args["sites"], "TESTING": True,
                  "COMMENTS_RATE_LIMIT": 10**6})
client = app.test_client()
token = form_token(app.config["SECRET_KEY"], args["post"], datetime.now().astimezone()
                   - timedelta(minutes=1))
codes = []
for n in range(args["count"]):
    data = {"name": f"Reader {args['who']}-{n}", "email": "known@example.org",
            "text": f"Comment {args['who']}-{n}", "token": token}
    response = client.post(args["path"], data=data, base_url=args["base"])
    codes.append(response.status_code)
print(json.dumps(codes))
"""


@pytest.mark.slow
def test_500_comments_from_two_processes(app, database_url, blog, make_post, session):
    post = make_post(language="en", published_at=None)
    approved(session, post, email="known@example.org")
    blog.get("/en/")  # a cached listing, which the comments must change
    processes = []
    for who in ("a", "b"):
        args = {
            "url": database_url,
            "sites": SITES_FILE,
            "post": post.id,
            "count": PER_PROCESS,
            "who": who,
            "path": post_address(post) + "comments",
            "base": BLOG,
        }
        command = [sys.executable, "-c", SENDER, json.dumps(args)]
        processes.append(subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True))
    codes = []
    for process in processes:
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0
        codes += json.loads(out)
    assert codes == [302] * (2 * PER_PROCESS)
    session.expire_all()
    stored = session.query(Comment).filter_by(post_id=post.id).all()
    assert len(stored) == 2 * PER_PROCESS + 1
    assert {c.status for c in stored} == {CommentStatus.APPROVED}
    assert len({c.source for c in stored}) == 2 * PER_PROCESS + 1
    total = 2 * PER_PROCESS + 1
    assert f"{total} comments" in blog.get(post_address(post)).text
    assert f"{total} comments" in blog.get("/en/").text
