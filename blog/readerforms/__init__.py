"""What readers send through a site's forms: contact messages and registrations.

A contact message goes to the authors through the contact page (`contact` in the sites file);
a registration takes a seat of a sign-up form (a seminar, a talk) or a place on its waiting
list. Both pass the comments' spam checks (comments/spam.py) before they are stored
(service.py), are read, exported (export.py) and deleted in the desk, and are deleted for good
after FORMS_KEEP_DAYS. No public page shows what a reader sent.
"""
