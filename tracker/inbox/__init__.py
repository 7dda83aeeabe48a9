"""To-dos, the inbox and e-mail notifications (issues 17 and 18).

Each person's to-dos are derived from the workflow states whenever they are shown or mailed
(:mod:`tracker.inbox.services`, rules in :mod:`tracker.inbox.rules`): nothing about a to-do is stored
but the log of e-mails sent. ``/inbox`` lists them; ``templates/inbox/_todo_list.html`` is the list
the home pages include; :mod:`tracker.inbox.notify` mails them after a change or as a daily digest.
"""
