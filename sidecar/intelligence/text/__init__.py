"""A plain, general text toolkit over help-desk conversations: cleaning and cutting text, sentences,
steps to reproduce, what was tried, error messages, identifiers and the condensed timeline.

Extraction is deliberately plain and general: sentence splitting, list-line and quoted-text shapes,
HTTP status and exception shapes, id shapes, and small English cue lists for "what was done". It never
invents text: every line it produces is the customer's, the agent's or the bot's own words, condensed.
"""
