"""Readers' comments: the table, the spam checks, moderation and notifications.

A comment is a reader's text under a post, one level of replies deep. What the public pages
read is Core statements (queries.py); writes go through service.py, which judges a comment
(spam.py) before it is stored, and queues its notifications (mail.py) in the same transaction.
"""
