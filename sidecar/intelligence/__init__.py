"""Scoring, routing, similarity and summarising: pure functions over a normalised Ticket, no I/O.

The escalation scorer lives in scoring.py (assess_ticket), its signal detectors in signals/, learned
models in learned.py and accuracy measurement in evaluation.py.
"""
