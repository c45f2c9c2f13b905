"""Rendering what the sidecar writes for people: Jinja templates (templates/, overridable by operators),
a small line markup turned into Jira's Atlassian Document Format (adf.py), and Slack Block Kit messages.

Pure: no I/O besides reading template files.
"""
