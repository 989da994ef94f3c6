"""Topic boundaries that the label guide's "points that come up often" settle (issue 13).

One composed article per boundary; the topic model is fitted on the labeled corpus beside the
checkout plus the seeds (skipped where it is missing), none of which holds these articles.
"""

from __future__ import annotations

import numpy as np
import pytest

import classifier


@pytest.fixture(scope="module")
def topic(dev_and_seed_records) -> classifier.TopicClassifier:
    records = dev_and_seed_records  # the labeled corpus and the seeds (tests/conftest.py)
    return classifier.TopicClassifier().fit([r["text"] for r in records], [r["topic"] for r in records])


def _topic(model: classifier.TopicClassifier, text: str) -> str:
    return str(model.predict([text])[0])


def test_officials_answering_citizens_on_a_hotline_is_other(topic):
    text = (
        "县教育局长走进“民生热线”直播间\n"
        "5月8日上午，县教育局局长带领相关股室负责人走进广播电台“民生热线”直播间，现场接听群众来电，"
        "就学区划分、课后服务收费、校车安全等问题回答听众提问。一小时内共接听来电十余个，"
        "对现场不能答复的问题，局长表示将在三个工作日内给予回复。"
    )
    assert _topic(topic, text) == "other"


def test_reporter_interview_with_an_official_is_progress_qa(topic):
    # A minister meeting the media (会见传媒), the questions of reporters and the answers written out.
    text = (
        "教育局局長會見傳媒的答問內容\n"
        "以下是教育局局長今日出席活動後會見傳媒的答問內容：\n"
        "記者：新學年會否調整中學文憑試的安排？另外，幼稚園收生情況如何？\n"
        "教育局局長：我們會與考評局保持溝通，安排會在下月公布；幼稚園收生大致穩定，"
        "我們會繼續留意學額供應。\n"
        "記者：有學校反映教師人手不足，當局會否增加資源？\n"
        "教育局局長：今年的財政預算已預留額外撥款，學校可以按需要聘請教師。"
    )
    assert _topic(topic, text) == "progress_qa"


def test_peoples_congress_special_inquiry_is_supervision_visit(topic):
    text = (
        "市人大常委会开展义务教育优质均衡发展专题询问\n"
        "9月20日，市人大常委会召开会议，就全市义务教育优质均衡发展情况开展专题询问。"
        "常委会组成人员和人大代表围绕学位供给、教师编制、大班额化解等问题进行询问，"
        "市教育局、财政局等部门负责人逐一回答。常委会主任要求政府及部门抓好问题整改。"
    )
    assert _topic(topic, text) == "supervision_visit"


def test_cppcc_inspection_of_schools_is_supervision_visit(topic):
    text = (
        "县政协组织委员视察县域义务教育均衡发展工作\n"
        "4月10日，县政协主席带领部分政协委员，对全县义务教育均衡发展工作进行专题视察。"
        "委员们先后来到城关小学、第二中学等学校，实地查看校舍建设和教学设施，"
        "随后召开座谈会听取县政府工作汇报，并就存在的问题提出意见建议。"
    )
    assert _topic(topic, text) == "supervision_visit"


def test_general_page_about_what_inspection_is_is_other(topic):
    text = (
        "什么是教育督导？教育督导包括哪些内容？\n"
        "教育督导是指教育督导机构依法对下级人民政府的教育工作和学校的办学行为进行监督、检查、评估和指导。"
        "简述督政与督学的关系：督政是对政府履行教育职责的督导，督学是对学校的督导，二者相辅相成。"
        "本题答案要点：督导评估、督导检查、实地督导、反馈整改。"
    )
    assert _topic(topic, text) == "other"


def test_work_meeting_about_inspection_work_is_a_meeting(topic):
    text = (
        "全区教育督导工作部署会召开\n"
        "3月2日，全区教育督导工作部署会在区教育局召开。会议总结了去年的督导工作，"
        "对今年的责任督学挂牌督导、学校年度考核等工作作出部署。区教育局分管领导讲话，"
        "各中小学校长、责任督学参加会议。"
    )
    assert _topic(topic, text) == "symposium"


def test_a_guide_rule_adds_its_weight_to_its_topic_only(tiny_records):
    from classifier.topic import GUIDE_RULES

    texts = [r["text"] for r in tiny_records]
    y = [r["topic"] for r in tiny_records]
    plain = classifier.TopicClassifier(min_df=1, guide_weight=0).fit(texts, y)
    guided = classifier.TopicClassifier(min_df=1, guide_weight=3.0).fit(texts, y)
    text = "县教育局长走进热线直播间，接听群众来电，回答听众提问。"
    hotline = next(r for r in GUIDE_RULES if r.name == "hotline")
    assert hotline.pattern.search(text)
    diff = guided.decision_function([text])[0] - plain.decision_function([text])[0]
    expected = np.where(guided.classes_ == "other", 3.0, 0.0)
    assert np.allclose(diff, expected)
