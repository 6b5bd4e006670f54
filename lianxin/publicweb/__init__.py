"""What the public (no-account) pages of several interfaces share: abuse protection (captcha, honeypot, rate
limits by client address and phone), photo cleaning and the multi-photo form field, and the CJK font that printed
documents embed.

Not a Django app and not an interface: it sits just above `lianxin.core` in the layers (pyproject.toml,
[tool.importlinter]), so that the portal and the projects app's public pages use one copy without one
importing the other.
"""
