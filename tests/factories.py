"""Factories build organisation records and *drafts* only. Later letter states come from the services."""

import datetime

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
from accounts.roles import Role
from responsibility.letters.models.letters import (
    Campaign,
    ClauseCategory,
    LetterTemplate,
    TemplateClause,
    TemplateLevel,
)

TEST_PASSWORD = "Sign-2026-test"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    full_name = factory.Sequence(lambda n: f"测试干部{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(*(Group.objects.get(name=role) for role in extracted))
        if create:
            user.save()


class OrgUnitFactory(DjangoModelFactory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}工作委员会")
    kind = OrgUnitKind.WORKING_BODY
    sort_order = factory.Sequence(lambda n: n)


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    unit = factory.SubFactory(OrgUnitFactory)
    title = "主任"
    kind = PostKind.UNIT_HEAD
    holder = factory.SubFactory(UserFactory)
    term_start = datetime.date(2023, 1, 1)


class LetterTemplateFactory(DjangoModelFactory):
    """A draft template with three clauses; publish it with `published=True`."""

    class Meta:
        model = LetterTemplate
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"template-{n}")
    name = factory.Sequence(lambda n: f"责任书范本{n}")
    level = TemplateLevel.ORGAN
    title = "2026年度党风廉政建设责任书"
    preamble = "为深入推进全面从严治党，落实党风廉政建设主体责任，签订本责任书。"
    closing = "本责任书一式两份，甲乙双方各执一份。"
    issuer_label = "甲方（党组）"
    signer_label = "乙方"
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def clauses(template, create, extracted, **kwargs):
        if not create:
            return
        texts = extracted or [
            (ClauseCategory.PRINCIPAL, "切实履行本单位党风廉政建设主体责任。"),
            (ClauseCategory.DUAL_DUTY, "坚持一岗双责，对分管领域廉政工作负领导责任。"),
            (ClauseCategory.SELF_DISCIPLINE, "严格遵守中央八项规定精神，廉洁自律。"),
        ]
        TemplateClause.objects.bulk_create(
            TemplateClause(template=template, number=i, category=category, text=text)
            for i, (category, text) in enumerate(texts, start=1)
        )

    @factory.post_generation
    def published(template, create, extracted, **kwargs):
        if create and extracted:
            LetterTemplate.objects.filter(pk=template.pk).update(
                is_published=True, published_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
            )
            template.refresh_from_db()


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    year = 2026
    title = factory.Sequence(lambda n: f"2026年度党风廉政建设责任书签订{n}")
    template = factory.SubFactory(LetterTemplateFactory, published=True)
    deadline = datetime.date(2026, 12, 31)
    reference_prefix = "人常廉责"
    created_by = factory.SubFactory(UserFactory)


def role_user(role: Role, **kwargs) -> User:
    return UserFactory(roles=[role], **kwargs)
