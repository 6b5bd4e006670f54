"""Grassroots legislative contact points (基层立法联系点, issue 19): drafts published article by article, comments from
the public and from deputies on an article or in general, moderation, the summary for the legislature and the public
feedback on what was adopted."""
