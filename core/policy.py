"""The policy as data: every rule of the Dongli plan with its ID, clause and severity.

Source: 东丽区街道社会工作服务站建设实施方案（试行）. Each rule quotes the clause it comes from, so
that every finding, refusal and reminder can cite it. The rule IDs are stable: tests are
named after them (test_R_STAFF_2_...), and so are findings in exports.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PLAN_TITLE = _("东丽区街道社会工作服务站建设实施方案（试行）")


class Severity(models.TextChoices):
    BLOCK = "block", _("禁止")
    ERROR = "error", _("问题")
    WARN = "warn", _("风险")
    TRACK = "track", _("记录")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    clause_ref: str
    clause: str
    severity: str

    @property
    def citation(self) -> str:
        """How a refusal or finding names the rule: ID, clause reference and the quoted text."""
        return f"{self.id}：《{PLAN_TITLE}》{self.clause_ref}“{self.clause}”"

    @property
    def anchor(self) -> str:
        return self.id.lower()


_RULES = [
    # 一、目标任务 and the annex 建设计划
    Rule(
        "R-PLAN-1",
        _("11个街道按建设计划逐年建站"),
        _("附表《东丽区街道社工站建设计划》"),
        _(
            "2021年度：张贵庄街道、丰年村街道、新立街道、军粮城街；2022年度：万新街道、华明街道、华新街道、无瑕街道；2023年度：金钟街道、金桥街道、东丽湖街道"
        ),
        Severity.TRACK,
    ),
    Rule(
        "R-PLAN-2",
        _("2021年试点4个，2023年底全覆盖"),
        _("一、目标任务"),
        _("2021年在4个街道建立社工站开展试点，至2023年底全区11个街道实现全覆盖"),
        Severity.WARN,
    ),
    Rule(
        "R-PLAN-3",
        _("区民政局制定年度实施计划报市民政局审核"),
        _("五（一）、六（一）"),
        _(
            "区民政局负责制定社工站项目年度实施计划并报市民政局审核；2021年6月15日前……制定工作计划，明确目标任务、措施办法和时间节点，并报送市民政局"
        ),
        Severity.TRACK,
    ),
    # 三、建设方式
    Rule(
        "R-PROC-1",
        _("购买主体为区民政局或街道办事处"),
        _("三（一）"),
        _(
            "购买主体为区民政局、各街道办事处。鼓励各街道自行购买社会工作服务，建立社工站，有关标准可参照本方案执行"
        ),
        Severity.BLOCK,
    ),
    Rule(
        "R-PROC-2",
        _("承接主体须满足三项条件，中标之日已核验（社会组织信用代码以5开头）"),
        _("三（一）"),
        _(
            "承接主体应满足以下条件：1.依法注册登记的社会工作类社会组织，业务范围或章程中应明确社会工作宗旨、范围和方式；2.具备规范的财务和纳税资质，有固定的办公场所和专业队伍；3.无违法违规记录，社会信誉良好"
        ),
        Severity.BLOCK,
    ),
    Rule(
        "R-PROC-3",
        _("通过政府采购招投标确定承接主体"),
        _("六（二）"),
        _("通过政府采购招投标，确定承接主体并签订服务协议"),
        Severity.TRACK,
    ),
    Rule(
        "R-FUND-1",
        _("区民政局购买不超过其预算上限；低于资金标准为风险；街道购买参照执行"),
        _("三（四）"),
        _("每个社工站项目资金每年力争达到25万元"),
        Severity.BLOCK,
    ),
    Rule(
        "R-FUND-2",
        _("项目资金分五类经费科目"),
        _("三（四）"),
        _("主要包括人员薪酬和福利经费、专业督导及人员培训经费、服务活动经费、项目管理经费、项目评估经费等"),
        Severity.BLOCK,
    ),
    Rule(
        "R-FUND-3",
        _("资金来源统筹各领域购买服务资金"),
        _("三（三）"),
        _(
            "统筹社会救助、养老服务、儿童福利、社区建设、社会事务等领域政府购买服务资金和相关业务工作经费以及市级社区公益事业专项补助资金。鼓励社会资金支持街道社工服务"
        ),
        Severity.BLOCK,
    ),
    Rule(
        "R-FUND-4",
        _("引导慈善组织捐赠设施设备和场所"),
        _("七（二）"),
        _(
            "鼓励引导慈善组织捐资支持社工站建设，定向用于配备必要的设施设备，包括桌椅、电脑、打印机、档案柜等用品及设立个案咨询室、小组活动室等活动场所"
        ),
        Severity.TRACK,
    ),
    Rule(
        "R-CYCLE-1",
        _("原则上三年一个周期，合同一年一签，每年不超过十二个月"),
        _("三（五）"),
        _("原则上项目期限以三年为一个周期，周期内购买合同一年一签"),
        Severity.BLOCK,
    ),
    Rule(
        "R-CYCLE-2",
        _("年度评估良好或合格续签，不合格不再续签，重新采购"),
        _("三（五）"),
        _("年度评估结果为良好或合格的续签合同，不合格的不再续签，按照政府购买服务程序重新确定承接主体"),
        Severity.BLOCK,
    ),
    Rule(
        "R-CYCLE-3",
        _("周期提前结束：当日合同年度随之结束，次日起可重新采购"),
        _("三（五）"),
        _("不合格的不再续签，按照政府购买服务程序重新确定承接主体"),
        Severity.BLOCK,
    ),
    # 四、建设标准
    Rule(
        "R-SITE-1",
        _("街道提供独立办公用房和必要设施设备"),
        _("四（一）"),
        _(
            "各街道办事处负责为社工站提供独立办公用房，并配备必要的设施设备，包括桌椅、电脑、打印机、档案柜等用品；有条件的可根据服务需求设立个案咨询室、小组活动室等活动场所"
        ),
        Severity.ERROR,
    ),
    Rule(
        "R-SITE-2",
        _("设置统一标识"),
        _("四（五）"),
        _("社工站应在办公场所显著位置设置统一标识，格式为“中国社会工作标识+中国民政标志+××社会工作服务站”"),
        Severity.ERROR,
    ),
    Rule(
        "R-SITE-3",
        _("公示服务内容、服务目录和岗位职责"),
        _("四（三）"),
        _(
            "承接主体应根据购买合同，确定社工站具体服务内容、服务目录和岗位职责，并在办公场所内显著的位置公示说明"
        ),
        Severity.ERROR,
    ),
    Rule(
        "R-SITE-4",
        _("建立六项管理制度"),
        _("四（四）"),
        _("制定包括人员、项目、督导、志愿者、服务场所使用以及文书档案等管理制度"),
        Severity.ERROR,
    ),
    # 四（二）人员配备, 六（二）
    Rule("R-STAFF-1", _("驻站社工一般为2-3名"), _("四（二）"), _("驻站社工一般为2-3名"), Severity.WARN),
    Rule(
        "R-STAFF-2",
        _("至少1名驻站社工具有社会工作专业资质（无驻站社工亦属违反）"),
        _("四（二）"),
        _("其中具有社会工作专业资质的社工不少于1名"),
        Severity.ERROR,
    ),
    Rule(
        "R-STAFF-3",
        _("每个周期一个期限：承接后两年内全部驻站社工具备专业资质"),
        _("四（二）"),
        _("所有驻站社工应在承接社工站项目两个年度内全部具备社会工作专业资质"),
        Severity.ERROR,
    ),
    Rule(
        "R-STAFF-4",
        _("驻站社工为签订劳动合同的专职人员"),
        _("四（二）"),
        _("驻站社工应为与承接主体签订劳动合同的专职工作人员"),
        Severity.ERROR,
    ),
    Rule(
        "R-STAFF-5",
        _("合同签订15天内派驻社工"),
        _("六（二）"),
        _("承接主体在合同签订15天内派驻社工，启动服务"),
        Severity.ERROR,
    ),
    Rule(
        "R-STAFF-6",
        _("驻站社工经培训合格；无合格培训记录到岗为风险"),
        _("五（三）、五（一）"),
        _(
            "承接主体根据购买合同，安排经培训合格的社工到岗到位；区民政局……组建区级指导中心，开展培训、督导、绩效评估等服务"
        ),
        Severity.WARN,
    ),
    Rule(
        "R-STAFF-7",
        _("足额配备驻站社工，一人同一时间只驻一个站"),
        _("四（二）"),
        _("承接主体应根据购买合同，及时、足额配备驻站社工"),
        Severity.ERROR,
    ),
    # 三（二）服务内容, 五（三）
    Rule(
        "R-SVC-1",
        _("四个领域的专业社会工作服务"),
        _("三（二）"),
        _(
            "重点做好社会救助、养老服务、儿童关爱保护和社区治理等领域特殊困难群众基本生活保障、社区融入和社会参与工作。运用社会工作专业方法开展矛盾调处、人文关怀、心理疏导、行为矫治、关系调适、资源协调、社会功能修复、社会支持体系建设等服务"
        ),
        Severity.TRACK,
    ),
    Rule(
        "R-SVC-2",
        _("志愿者注册、服务时长记录、激励与保障"),
        _("三（二）"),
        _("做好志愿者注册及志愿服务时长记录、志愿者激励与保障"),
        Severity.TRACK,
    ),
    Rule(
        "R-REP-1",
        _("按时提交月度工作简报"),
        _("五（三）"),
        _("按时向区民政局、街道提交月度工作简报"),
        Severity.ERROR,
    ),
    Rule(
        "R-REP-2",
        _("提交中期工作报告和期末工作报告"),
        _("五（三）"),
        _("并按时向区民政局、街道提交月度工作简报、中期工作报告和期末工作报告"),
        Severity.ERROR,
    ),
    Rule(
        "R-REP-3",
        _("区民政局或街道审阅报告：通过或退回修改，显示审阅人"),
        _("五（一）、五（二）"),
        _("会同街道对项目执行和驻站社工进行监督管理；指导社工站项目实施，进行工作监督和反馈"),
        Severity.TRACK,
    ),
    Rule(
        "R-REP-4",
        _("开展需求调研、制定服务计划"),
        _("五（三）"),
        _("组织开展需求调研、制定服务计划、提供专业服务"),
        Severity.WARN,
    ),
    Rule(
        "R-REP-5",
        _("资料归档、动态推送、经验总结"),
        _("五（三）"),
        _("做好资料归档、动态推送、进度简报、经验总结等工作"),
        Severity.TRACK,
    ),
    # 五、六（三）
    Rule(
        "R-EVAL-1",
        _("中期、末期评估，签字结果经门户报市民政局"),
        _("六（三）"),
        _("区民政局和街道共同对社工站项目进行全程监督，做好中期、末期评估，并将评估结果报市民政局"),
        Severity.ERROR,
    ),
    Rule(
        "R-EVAL-2",
        _("年底街道会同区民政局进行绩效评价"),
        _("五（二）"),
        _("在年底会同区民政局对社工站运行情况进行绩效评价"),
        Severity.BLOCK,
    ),
    Rule(
        "R-EVAL-3",
        _("等级按总分档次确定（区民政局设定的分数线）"),
        _("五（一）、三（五）"),
        _("开展培训、督导、绩效评估等服务；年度评估结果为良好或合格的续签合同"),
        Severity.BLOCK,
    ),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def rule(rule_id: str) -> Rule:
    """The rule with this ID; a typo in a rule ID fails loudly at import time of the caller's test."""
    return RULES[rule_id]


def refusal(rule_id: str, message: str, *, field: str | None = None):
    """A ValidationError that names the rule and quotes its clause, for a service to raise.

    `field` attaches it to a form field; the code is the rule ID, so callers and tests can tell
    which rule refused.
    """
    from django.core.exceptions import ValidationError

    # One sentence, then the rule and its clause — not a clause in parentheses inside parentheses.
    text = gettext("{message}依据{citation}。").format(message=message, citation=RULES[rule_id].citation)
    error = ValidationError(text, code=rule_id)
    return ValidationError({field: [error]}) if field else error
