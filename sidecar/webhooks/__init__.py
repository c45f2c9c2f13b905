"""Inbound webhooks from Zendesk, Salesforce, Jira and Slack: signature checks and one normalised event shape."""
