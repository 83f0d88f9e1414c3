"""What the letters and the supervision benchmarks build their organ from: its three own units (the
Party Group, the office, the inspection team), and letter templates with the same six clauses.

Django and the models are imported inside the functions: an entry script sets the environment first.
"""

CLAUSES = [
    ("political", "坚决维护党中央权威和集中统一领导，严守政治纪律和政治规矩。"),
    ("principal", "切实履行本单位党风廉政建设主体责任，做到与业务工作同部署、同落实、同检查、同考核。"),
    ("dual_duty", "坚持一岗双责，对分管领域党风廉政建设负直接领导责任。"),
    ("work_style", "深入贯彻中央八项规定及其实施细则精神，持续纠治形式主义、官僚主义。"),
    ("rules", "健全完善内部管理制度，加强对权力运行的制约和监督。"),
    ("self_discipline", "严格遵守廉洁自律各项规定，管好家属子女和身边工作人员。"),
]


def organ_units_create() -> tuple:
    """The Party Group, the office (机关党委) and the inspection team, in this order."""
    from accounts.models import OrgUnit, OrgUnitKind

    party_group = OrgUnit.objects.create(code="PG", name="党组", kind=OrgUnitKind.PARTY_GROUP)
    office = OrgUnit.objects.create(
        code="OFFICE", name="机关党委（办公室）", kind=OrgUnitKind.PARTY_COMMITTEE, sort_order=1
    )
    team = OrgUnit.objects.create(
        code="JJZ", name="派驻纪检监察组", kind=OrgUnitKind.INSPECTION_TEAM, sort_order=2
    )
    return party_group, office, team


def letter_template_create(*, level, code: str, title: str, published_at, created_by):
    """A published template with the six CLAUSES; the Party Group issues the organ-level letters."""
    from responsibility.letters.models.letters import LetterTemplate, TemplateClause, TemplateLevel

    template = LetterTemplate.objects.create(
        code=code,
        name=title,
        level=level,
        title=title,
        preamble="为深入推进全面从严治党，落实党风廉政建设主体责任和监督责任，签订本责任书。",
        closing="本责任书一式两份，甲乙双方各执一份，自签订之日起生效。",
        issuer_label="甲方" if level == TemplateLevel.UNIT else "甲方（党组）",
        signer_label="乙方",
        is_published=True,
        published_at=published_at,
        created_by=created_by,
    )
    TemplateClause.objects.bulk_create(
        TemplateClause(template=template, number=n, category=category, text=text)
        for n, (category, text) in enumerate(CLAUSES, start=1)
    )
    return template


def clause_texts() -> list:
    """The CLAUSES as the issuing service's builders take them."""
    from responsibility.letters.content import ClauseText

    return [ClauseText(n, category, text) for n, (category, text) in enumerate(CLAUSES, start=1)]
