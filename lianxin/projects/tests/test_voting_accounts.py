"""Issue 12, item 6: an account that also holds a staff role cannot cast a deputy's secret ballot."""

import pytest

from lianxin.accounts.roles import Role
from lianxin.accounts.services import role_grant
from lianxin.core.errors import PermissionDenied
from lianxin.projects.models import Ballot, Voter
from lianxin.projects.tests.test_voting import vote  # noqa: F401  (the fixture)
from lianxin.projects.voting import vote_cast

CHOICES = {1: "for", 2: "for", 3: "abstain"}


def test_an_account_holding_a_staff_role_cannot_vote_as_its_deputy(world, vote, regions):  # noqa: F811
    account = world.users[1]
    role_grant(actor=None, user=account, role=Role.TOWNSHIP_STAFF, region=regions.wukang)

    with pytest.raises(PermissionDenied):
        vote_cast(actor=account, vote=vote, choices=CHOICES)

    assert not Ballot.objects.filter(vote=vote).exists()
    assert not Voter.objects.filter(vote=vote, has_voted=True).exists()


def test_a_setting_lets_staff_accounts_vote_where_the_rules_allow_it(world, vote, regions, settings):  # noqa: F811
    settings.VOTE_ALLOW_STAFF_ACCOUNTS = True
    account = world.users[1]
    role_grant(actor=None, user=account, role=Role.TOWNSHIP_STAFF, region=regions.wukang)

    assert vote_cast(actor=account, vote=vote, choices=CHOICES)
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_a_deputy_holding_only_the_deputy_role_votes(world, vote):  # noqa: F811
    assert vote_cast(actor=world.users[2], vote=vote, choices=CHOICES)
    assert Voter.objects.get(vote=vote, deputy__user=world.users[2]).has_voted
