"""Integrity monitoring points (廉情监测点, issue 19): their staff and deputies, the clues they report about public
officials' conduct, the shared register, joint checks and transfers to the discipline commission. Confidential: every
read needs manage_integrity and is audited; nothing of it reaches public pages, general exports or search."""
